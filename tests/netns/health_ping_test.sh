#!/usr/bin/env bash
# The ping checker (PING_CHECK) with real links (issue 7): uvsd pings each real server every
# second from the director's own address (interval 1, timeout 1, retries 1, retry_delay 1).
# Pulling a real server's cable (its switch port goes down, so its eth0 loses carrier) takes its
# checker DOWN within interval × (retries + 1) + timeout: rs1, with inhibit_on_failure, stays
# listed at weight 0; rs2, without, leaves the service. Meanwhile new connections all go to the
# other real server. Plugging the cable back brings each back with its weight, and traffic with
# it. `uvsadm --health` and uvsd's log name the checker, the state and the reason.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3

nat_topology
web_server rs1 RS1
web_server rs2 RS2

CONF="$UVS_TMP/uvs.toml"
cat >"$CONF" <<'TOML'
[daemon]
interfaces = ["eth0", "eth1"]

[[service]]
protocol = "tcp"
address = "10.0.1.100:80"
scheduler = "rr"

  [[service.real]]
  address = "10.0.2.11:80"
  forward = "nat"
  inhibit_on_failure = true
    [service.real.check]
    type = "ping"
    interval = 1
    timeout = 1
    retries = 1
    retry_delay = 1
    warmup = 0

  [[service.real]]
  address = "10.0.2.12:80"
  forward = "nat"
    [service.real.check]
    type = "ping"
    interval = 1
    timeout = 1
    retries = 1
    retry_delay = 1
    warmup = 0
TOML
start_uvsd "$CONF"

listed() { uvsadm -Ln | grep -Eq -- "-> $1:80 +Masq +$2 "; }
absent() { ! uvsadm -Ln | grep -q -- "-> $1:80 "; }
health_says() { uvsadm --health | grep -Eq "$1"; }
fetch_n() {  # fetch_n N: the real servers that answer N requests, space-separated
  local out=()
  for _ in $(seq 1 "$1"); do out+=("$(fetch http://10.0.1.100/)"); done
  echo "${out[*]}"
}
# cable PORT up|down: a real server's switch port (nat_topology: rs1 on p1, rs2 on p2).
cable() { ip -n "$(ns switch)" link set "$1" "$2"; }

check "rs1's ping checker is UP with an echo reply" \
  wait_until 5 health_says '^  10\.0\.2\.11:80 +ping +UP .*ok: echo reply'
check "rs2's ping checker is UP with an echo reply" \
  wait_until 5 health_says '^  10\.0\.2\.12:80 +ping +UP .*ok: echo reply'
uvsadm --health
answers=$(fetch_n 4)
check "both real servers answer (got: $answers)" \
  bash -c "grep -q RS1 <<<\"\$0\" && grep -q RS2 <<<\"\$0\"" "$answers"

# --- rs1's cable pulled: inhibit_on_failure keeps it at weight 0.
cable p1 down
check "rs1's eth0 has lost its carrier" \
  wait_until 3 bash -c "ip -n $(ns rs1) link show eth0 | grep -q NO-CARRIER"
check "rs1 goes to weight 0 within interval*(retries+1)+timeout (+3 s margin)" \
  wait_until 7 listed 10.0.2.11 0
check "uvsd's log says who, which checker and why" \
  grep -Eq 'health: TCP 10\.0\.1\.100:80: real 10\.0\.2\.11:80: ping check DOWN \(.+, after 1 retry\): weight 0 \(inhibit_on_failure\)' \
  "$UVS_TMP/uvsd.log"
grep 'ping check DOWN' "$UVS_TMP/uvsd.log"
uvsadm --health
check "uvsadm --health shows rs1 DOWN at weight 0 with a reason" \
  health_says '^  10\.0\.2\.11:80 +ping +DOWN +0 .*failed: (no echo reply within 1 s|.*unreachable|.*No route to host)'
answers=$(fetch_n 4)
check "new connections all go to rs2 (got: $answers)" test "$answers" = "RS2 RS2 RS2 RS2"
cable p1 up
check "rs1 is back to weight 1 within interval + timeout (+3 s margin)" \
  wait_until 5 listed 10.0.2.11 1
check "uvsd's log says rs1 is back" \
  grep -Eq 'real 10\.0\.2\.11:80: ping check UP \(echo reply\): weight back to 1' "$UVS_TMP/uvsd.log"
answers=$(fetch_n 4)
check "rs1 gets new connections again (got: $answers)" \
  bash -c "grep -q RS1 <<<\"\$0\" && grep -q RS2 <<<\"\$0\"" "$answers"

# --- rs2's cable pulled: without inhibit_on_failure it leaves the service.
cable p2 down
check "rs2 leaves the service within interval*(retries+1)+timeout (+3 s margin)" \
  wait_until 7 absent 10.0.2.12
check "uvsd's log says rs2 was removed" \
  grep -Eq 'real 10\.0\.2\.12:80: ping check DOWN \(.+, after 1 retry\): removed' "$UVS_TMP/uvsd.log"
check "uvsadm --health shows rs2 DOWN" health_says '^  10\.0\.2\.12:80 +ping +DOWN '
answers=$(fetch_n 4)
check "new connections all go to rs1 (got: $answers)" test "$answers" = "RS1 RS1 RS1 RS1"
cable p2 up
check "rs2 comes back within interval + timeout (+3 s margin)" wait_until 5 listed 10.0.2.12 1
check "uvsd's log says rs2 was added back" \
  grep -Eq 'real 10\.0\.2\.12:80: ping check UP \(echo reply\): added back with weight 1' \
  "$UVS_TMP/uvsd.log"
answers=$(fetch_n 4)
check "rs2 gets new connections again (got: $answers)" \
  bash -c "grep -q RS1 <<<\"\$0\" && grep -q RS2 <<<\"\$0\"" "$answers"
uvsadm -Ln
finish
