#!/usr/bin/env bash
# Live changes never drop connections (issue 5, items 5 and 6). On the seeds' NAT topology, a
# long download (40 MB at 2 MB/s, ~20 s, fixed client port) and a stream of short requests run
# while services and real servers are added, edited (weight, scheduler), deleted (another
# service, and the real server that does not carry the download) with uvsadm, and while the
# TOML file is rewritten and reloaded with SIGHUP: weights, an invalid file, then a file that
# adds a service (port 8081, on a third real server RS3), adds RS3 to port 80 and deletes the
# real server that does not carry the download, and last one that deletes port 8081 again.
# Checks: the download completes with the right hash, no request of the stream failed, after
# each change new connections follow the new rules and -Ln shows exactly the new set, a deleted
# service's port is refused at once (uvsd's RST); `uvsd --check` accepts the good file and names
# the place of the error in the bad one.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3 sha256sum

VIP=10.0.1.100
nat_topology
back_host rs3 10.0.2.13 p3
mkdir -p "$UVS_TMP/www-rs1" "$UVS_TMP/www-rs2"
want=$(random_file "$UVS_TMP/www-rs1/big.bin" 40000000)
cp "$UVS_TMP/www-rs1/big.bin" "$UVS_TMP/www-rs2/big.bin"
web_server rs1 RS1
web_server rs2 RS2
web_server rs3 RS3

CONF="$UVS_TMP/uvs.toml"
# write_conf W1 W2: the NAT service on port 80 (rr) with the two real servers' weights.
write_conf() {
  { toml_daemon; toml_nat_service "$VIP:80" rr "10.0.2.11:80=$1" "10.0.2.12:80=$2"; } |
    write_file "$CONF"
}
write_conf 1 1
start_uvsd "$CONF" || { fail "uvsd starts"; finish; }

# probe N [PORT]: N sequential requests from the client; prints one page name per line.
probe() {
  local i
  for i in $(seq "$1"); do
    fetch "http://$VIP:${2:-80}/" || echo FAILED
  done
}
only() {  # only NAME < answers: every answer is NAME
  local answers; answers=$(cat)
  [[ -n $answers ]] && ! grep -qv "^$1\$" <<<"$answers"
}
count() { grep -c "^$1\$"; }

# --- the long download, from a fixed client port so its connection can be found.
bg client "$UVS_TMP/download.log" bash -c \
  "curl -sS --max-time 120 --local-port 45000 --limit-rate 2M http://$VIP/big.bin \
     | sha256sum | cut -d' ' -f1 >'$UVS_TMP/download.sha'"
DOWNLOAD_PID=$LAST_PID
wait_until 10 bash -c "'$UVSADM' --socket '$UVS_SOCKET_PATH' -Lnc | grep -q ' 10.0.1.2:45000 '"
carrier=$(uvsadm -Lnc | awk '$4 == "10.0.1.2:45000" {print $6}' | head -1)
case "$carrier" in
  10.0.2.11:80) CARRIER=RS1 OTHER=RS2 OTHER_IP=10.0.2.12 ;;
  10.0.2.12:80) CARRIER=RS2 OTHER=RS1 OTHER_IP=10.0.2.11 ;;
  *) fail "the download's connection is in uvsadm -Lnc (got '$carrier')"; uvsadm -Lnc; finish ;;
esac
echo "the download runs on $CARRIER ($carrier)"

# --- a stream of short requests for the whole test.
start_stream "http://$VIP/"
# probe_alone N: probe with the stream paused, for checks that count which server answered
# (the stream's own new connections would take turns of the scheduler in between).
probe_alone() {
  pause_stream
  probe "$@"
  resume_stream
}
sleep 0.5

# --- 1. a new service with two real servers.
uvsadm -A -t $VIP:8080 -s rr
uvsadm -a -t $VIP:8080 -r 10.0.2.11:80 -m
uvsadm -a -t $VIP:8080 -r 10.0.2.12:80 -m
answers=$(probe 4 8080)
check "a service added live answers at once (both real servers)" \
  test "$(count RS1 <<<"$answers")" -eq 2 -a "$(count RS2 <<<"$answers")" -eq 2

# --- 2. weight 0 quiesces RS1: every new connection goes to RS2.
uvsadm -e -t $VIP:80 -r 10.0.2.11:80 -m -w 0
check "after -e RS1 -w 0, new connections all go to RS2" only RS2 < <(probe 8)
uvsadm -e -t $VIP:80 -r 10.0.2.11:80 -m -w 1
answers=$(probe_alone 6)
check "after -e RS1 -w 1, both real servers answer again" \
  bash -c "grep -q RS1 <<<'$answers' && grep -q RS2 <<<'$answers'"

# --- 2b. quiesce the real server that carries the download: new connections avoid it, the
# download goes on (checked at the end).
CARRIER_IP=${carrier%:80}
uvsadm -e -t $VIP:80 -r "$CARRIER_IP:80" -m -w 0
check "after -e $CARRIER -w 0, new connections all go to $OTHER" only "$OTHER" < <(probe 6)
uvsadm -e -t $VIP:80 -r "$CARRIER_IP:80" -m -w 1

# --- 3. another scheduler: wrr 3:1, exactly 6 of any 8 consecutive new connections on RS1.
uvsadm -E -t $VIP:80 -s wrr
uvsadm -e -t $VIP:80 -r 10.0.2.11:80 -m -w 3
answers=$(probe_alone 8)
check "after -E wrr and RS1 -w 3: 6 of 8 new connections on RS1, 2 on RS2" \
  test "$(count RS1 <<<"$answers")" -eq 6 -a "$(count RS2 <<<"$answers")" -eq 2
check "uvsadm -Ln shows the edits" \
  bash -c "'$UVSADM' --socket '$UVS_SOCKET_PATH' -Ln | grep -q 'TCP  $VIP:80 wrr' &&
           '$UVSADM' --socket '$UVS_SOCKET_PATH' -Ln | grep -q '10.0.2.11:80 .*Masq    3 '"

# --- 4. delete the real server that does not carry the download (drained first, as an
# operator does, so no short request of the stream is in flight to it).
uvsadm -e -t $VIP:80 -r $OTHER_IP:80 -m -w 0
sleep 1
uvsadm -d -t $VIP:80 -r $OTHER_IP:80
check "after -d $OTHER, new connections all go to $CARRIER" only "$CARRIER" < <(probe 6)
uvsadm -a -t $VIP:80 -r $OTHER_IP:80 -m -w 1
answers=$(probe_alone 8)
check "$OTHER added back takes new connections" grep -q "^$OTHER\$" <<<"$answers"

# --- 5. delete the other service.
uvsadm -D -t $VIP:8080
check "a deleted service answers no more" bash -c "! nsx client curl -sS --max-time 3 http://$VIP:8080/ 2>/dev/null"
check "the deleted service is gone from -Ln" bash -c "! '$UVSADM' --socket '$UVS_SOCKET_PATH' -Ln | grep -q ':8080 '"

# --- 6. reload: the file says rr with RS1 at weight 0.
write_conf 0 1
reload_uvsd
check "SIGHUP reload is logged" grep -q "reloaded $CONF" "$UVS_TMP/uvsd.log"
check "after the reload, -Ln shows rr with RS1 at weight 0" \
  bash -c "'$UVSADM' --socket '$UVS_SOCKET_PATH' -Ln | grep -q 'TCP  $VIP:80 rr' &&
           '$UVSADM' --socket '$UVS_SOCKET_PATH' -Ln | grep -q '10.0.2.11:80 .*Masq    0 '"
check "after the reload, new connections all go to RS2" only RS2 < <(probe 6)

# --- 7. an invalid file: uvsd keeps the running configuration and says why.
saved=$(uvsadm -Sn)
cp "$CONF" "$CONF.good"
printf '[daemon]\ninterfaces = ["eth0", "eth1"]\n\n[[service]]\nprotocol = "tcp"\naddress = "%s:80"\nscheduler = "wlcx"\n' \
  "$VIP" | write_file "$CONF"
reload_uvsd
check "uvsd is still running after an invalid reload" kill -0 "$UVSD_PID"
check "the log says the reload failed and where" \
  grep -q "reload failed, still running the previous configuration: $CONF:7:" "$UVS_TMP/uvsd.log"
check "the running configuration is unchanged" test "$(uvsadm -Sn)" = "$saved"
check "new connections still follow it (all RS2)" only RS2 < <(probe 4)

# --- 8. uvsd --check on the good and the bad file.
check "uvsd --check accepts the good file" "$UVSD" --check "$CONF.good"
"$UVSD" --check "$CONF" >"$UVS_TMP/check.out" 2>&1
rc=$?
check "uvsd --check refuses the bad file (exit $rc)" test "$rc" -ne 0
check "uvsd --check names file:line:col of the error" grep -q "$CONF:7:[0-9]*: " "$UVS_TMP/check.out"
cat "$UVS_TMP/check.out"

# --- 9. the good file again, weights back to 1/1.
write_conf 1 1
reload_uvsd
answers=$(probe_alone 6)
check "after reloading a good file, both real servers answer" \
  bash -c "grep -q RS1 <<<'$answers' && grep -q RS2 <<<'$answers'"

# --- 10. a reload that adds and deletes: port 8081 (a new service on RS3), RS3 added to port 80,
# $OTHER deleted from it. $OTHER is drained first by a reload that sets its weight to 0, as in
# step 4, so that no request of the stream is in flight to it when it goes.
{ toml_daemon; toml_nat_service "$VIP:80" rr "$CARRIER_IP:80=1" "$OTHER_IP:80=0"; } |
  write_file "$CONF"
check "the reload that drains $OTHER is applied" reload_applied
sleep 1
{ toml_daemon
  toml_nat_service "$VIP:80" rr "$CARRIER_IP:80" 10.0.2.13:80
  toml_nat_service "$VIP:8081" rr 10.0.2.13:80; } | write_file "$CONF"
check "the reload adding port 8081 and RS3, deleting $OTHER, is applied and logged" reload_applied
# listing_set [PORT [REAL...]]...: the -Ln listing of these services without the ActiveConn and
# InActConn columns (the download and the stream move them): exactly which services and real
# servers there are, with forwarding and weight (all Masq, weight 1). listed_set: the same cut
# of uvsadm -Ln.
listing_set() {
  echo 'IP Virtual Server version 1.2.1 (size=4096)'
  echo 'Prot LocalAddress:Port Scheduler Flags'
  echo '  -> RemoteAddress:Port           Forward Weight'
  local arg
  for arg in "$@"; do
    case $arg in
      *:*) printf '  -> %-28s Masq    1\n' "$arg" ;;
      *) echo "TCP  $VIP:$arg rr" ;;
    esac
  done
}
listed_set() { uvsadm -Ln | cut -c1-48 | sed 's/ *$//'; }
listing_set 80 "$CARRIER_IP:80" 10.0.2.13:80 8081 10.0.2.13:80 >"$UVS_TMP/set-added.expected"
listed_set >"$UVS_TMP/set-added.txt"
check "-Ln shows exactly port 80 ($CARRIER, RS3) and port 8081 (RS3)" \
  diff "$UVS_TMP/set-added.expected" "$UVS_TMP/set-added.txt"
answers=$(probe_alone 6)
check "new connections to port 80 go to $CARRIER and RS3 only, taking turns" \
  test "$(count "$CARRIER" <<<"$answers")" -eq 3 -a "$(count RS3 <<<"$answers")" -eq 3
check "the added port 8081 answers, from RS3 only" only RS3 < <(probe 3 8081)

# --- 11. a reload that deletes port 8081 again: gone from -Ln, and its port is closed: uvsd
# answers the SYN with an RST, so curl fails at once with "connection refused" (exit 7).
{ toml_daemon; toml_nat_service "$VIP:80" rr "$CARRIER_IP:80" 10.0.2.13:80; } | write_file "$CONF"
check "the reload deleting port 8081 is applied and logged" reload_applied
listing_set 80 "$CARRIER_IP:80" 10.0.2.13:80 >"$UVS_TMP/set-deleted.expected"
listed_set >"$UVS_TMP/set-deleted.txt"
check "-Ln shows exactly port 80 ($CARRIER, RS3): port 8081 is gone" \
  diff "$UVS_TMP/set-deleted.expected" "$UVS_TMP/set-deleted.txt"
resets_before=$(counter tcp_resets_sent)
nsx client curl -sS -v --max-time 3 "http://$VIP:8081/" >"$UVS_TMP/closed.out" 2>&1
rc=$?
grep -i 'connect' "$UVS_TMP/closed.out"
check "a request to the deleted port 8081 is refused (curl exit $rc, want 7)" \
  bash -c "[[ $rc -eq 7 ]] && grep -q 'Connection refused' '$UVS_TMP/closed.out'"
check "... by uvsd's RST (tcp_resets_sent)" test "$(counter tcp_resets_sent)" -gt "$resets_before"
answers=$(probe_alone 4)
check "port 80 still answers from $CARRIER and RS3 only, taking turns" \
  test "$(count "$CARRIER" <<<"$answers")" -eq 2 -a "$(count RS3 <<<"$answers")" -eq 2

# --- the download and the stream.
check "the download was still running after the last change" kill -0 "$DOWNLOAD_PID"
for _ in $(seq 600); do kill -0 "$DOWNLOAD_PID" 2>/dev/null || break; sleep 0.1; done
check "the download finished within its time" bash -c "! kill -0 $DOWNLOAD_PID 2>/dev/null"
got=$(cat "$UVS_TMP/download.sha" 2>/dev/null)
check "the 40 MB download on $CARRIER survived every change, intact" test "$got" = "$want"
stop_stream 20
if [[ $FAILURES -ne 0 ]]; then
  echo "--- uvsd log"
  cat "$UVS_TMP/uvsd.log"
  echo "--- uvsadm --counters"
  uvsadm --counters
fi
uvsadm -Ln --stats
finish
