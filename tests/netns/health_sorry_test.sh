#!/usr/bin/env bash
# The sorry server and the quorum scripts with real programs (issue 7): a third back-network
# host (10.0.2.99, on the same switch) serves a "sorry" page. With both real servers' HTTP
# servers stopped, the quorum is lost: the sorry server answers, and quorum_down runs once; with
# one real server back, the quorum returns: the sorry server steps aside and quorum_up runs once.
# Scripts append to a file, so "once per transition" is counted. notify_down/notify_up likewise.
# Last, a reload sets quorum = 5, above the total weight of the real servers (2): uvsd lowers it
# to 2 as keepalived does, with a warning naming the line (logged, and printed by `uvsd
# --check`), so with rs2 down the sorry server comes in, and with rs2 back it steps aside again
# (kept at 5, the quorum could never be gained and the sorry server would stay).
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3

nat_topology
back_host sorry 10.0.2.99 p3

web_server rs1 RS1
WEB1=$LAST_PID
web_server rs2 RS2
WEB2=$LAST_PID
web_server sorry SORRY

EVENTS="$UVS_TMP/events.log"
: >"$EVENTS"
CONF="$UVS_TMP/uvs.toml"
cat >"$CONF" <<TOML
[daemon]
interfaces = ["eth0", "eth1"]

[[service]]
protocol = "tcp"
address = "10.0.1.100:80"
scheduler = "rr"
sorry_server = "10.0.2.99:80"
quorum_up = "echo quorum_up >> $EVENTS"
quorum_down = "echo quorum_down >> $EVENTS"

  [[service.real]]
  address = "10.0.2.11:80"
  forward = "nat"
  notify_up = "echo up rs1 >> $EVENTS"
  notify_down = "echo down rs1 >> $EVENTS"
    [service.real.check]
    type = "http"
    interval = 1
    timeout = 1
    retries = 1
    retry_delay = 1
    warmup = 0

  [[service.real]]
  address = "10.0.2.12:80"
  forward = "nat"
  notify_up = "echo up rs2 >> $EVENTS"
  notify_down = "echo down rs2 >> $EVENTS"
    [service.real.check]
    type = "tcp"
    interval = 1
    timeout = 1
    retries = 1
    retry_delay = 1
    warmup = 0
TOML
start_uvsd "$CONF"

events() { paste -sd, "$EVENTS"; }
listed() { uvsadm -Ln | grep -Eq -- "-> $1:80 +Masq +$2 "; }
absent() { ! uvsadm -Ln | grep -q -- "-> $1:80 "; }
events_are() { [[ $(events) == "$1" ]]; }

check "at start the quorum is gained once (keepalived does so too)" wait_until 3 events_are quorum_up
check "the sorry server is not in the service while the real servers are up" absent 10.0.2.99
answers="$(fetch http://10.0.1.100/) $(fetch http://10.0.1.100/)"
check "the real servers answer (got: $answers)" test "$answers" = "RS2 RS1"

# Both real servers down: quorum lost, the sorry server replaces them.
kill "$WEB1" "$WEB2"
check "the sorry server is added when the last real server goes" wait_until 6 listed 10.0.2.99 1
both_out() { absent 10.0.2.11 && absent 10.0.2.12; }
check "both real servers are out" both_out
answers="$(fetch http://10.0.1.100/) $(fetch http://10.0.1.100/)"
check "the sorry server answers (got: $answers)" test "$answers" = "SORRY SORRY"
sleep 2  # a few more failed checks: nothing more may run
count() { grep -c "$1" "$EVENTS"; }
# The scripts run concurrently (uvsd does not wait for them): count, do not order.
check "quorum_down ran once, notify_down once per real server (got: $(events))" \
  bash -c "[[ $(count quorum_down) -eq 1 && $(count 'down rs1') -eq 1 && $(count 'down rs2') -eq 1 && $(count quorum_up) -eq 1 ]]"
check "uvsd's log names the sorry server" \
  grep -Eq 'health: TCP 10\.0\.1\.100:80: quorum lost \(live weight 0 < 1-0\): sorry server 10\.0\.2\.99:80 replaces the real servers' "$UVS_TMP/uvsd.log"
sorry_in_use() { uvsadm --health | grep -q 'sorry 10.0.2.99:80 IN USE'; }
check "uvsadm --health says the sorry server is in use" sorry_in_use

# One real server back: quorum regained, the sorry server steps aside.
web_server rs1 RS1
check "the sorry server leaves when rs1 is back" wait_until 4 absent 10.0.2.99
check "rs1 is back with weight 1" listed 10.0.2.11 1
answers="$(fetch http://10.0.1.100/) $(fetch http://10.0.1.100/)"
check "rs1 answers again (got: $answers)" test "$answers" = "RS1 RS1"
sleep 2
check "quorum_up ran once more, notify_up of rs1 once (got: $(events))" \
  bash -c "[[ $(count quorum_up) -eq 2 && $(count 'up rs1') -eq 1 && $(count 'up rs2') -eq 0 && $(count quorum_down) -eq 1 ]]"

# quorum = 5 > 1 + 1: lowered to 2, at the reload as at start-up.
sed -i 's/^sorry_server = /quorum = 5\nsorry_server = /' "$CONF"
line=$(grep -n '^quorum = 5' "$CONF" | cut -d: -f1)
warning="$CONF:$line:10: service \"10.0.1.100:80\": quorum 5 exceeds total weight of real servers 2, reducing quorum to 2"
check_out=$("$UVSD" --check "$CONF" 2>&1)
echo "$check_out"
check "uvsd --check accepts the file and prints the warning" \
  grep -qF "uvsd: warning: $warning" <<<"$check_out"
kill -HUP "$UVSD_PID"
check "the reload is applied" wait_until 5 grep -q "reloaded $CONF" "$UVS_TMP/uvsd.log"
check "uvsd logs the warning at the reload" grep -qF "uvsd: warning: $warning" "$UVS_TMP/uvsd.log"
quorum_is() { uvsadm --health | grep -q "quorum $1 (live weight $2, quorum 2, hysteresis 0)"; }
check "with rs2 still down (live weight 1 < 2) the quorum is lost" quorum_is DOWN 1
check "and the sorry server is back" listed 10.0.2.99 1
web_server rs2 RS2
check "rs2 back: live weight 2 reaches the lowered quorum, the sorry server leaves" \
  wait_until 4 absent 10.0.2.99
check "uvsadm --health shows the quorum in use: 2" quorum_is UP 2
uvsadm --health
cat "$EVENTS"
finish
