#!/usr/bin/env bash
# Name lookups never hold up the control thread (issue 5, items 1 and 3). The director's
# resolver points at a DNS server that never answers (a UDP socket that reads queries and drops
# them; `ip netns exec` puts /etc/netns/NAME/resolv.conf in place of /etc/resolv.conf, for uvsd
# and for everything run in that namespace). While `uvsadm -L` (names, like ipvsadm without -n)
# waits on that server, other clients are served at once: `uvsadm -Ln`, a change, --counters, and
# a SIGHUP reload. The slow listing ends by itself and prints what ipvsadm prints when no host
# name can be found: numeric addresses, service names from /etc/services. A host name given as
# an argument (-a ... -r NAME) waits on DNS the same way without blocking anyone, and fails with
# ipvsadm's message. Every wait is bounded; the only time limit checked is a generous 5 s for
# the clients served while a lookup hangs.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds python3

VIP=10.0.1.100
nat_topology
DIRECTOR_NS=$(ns director)
NETNS_ETC="/etc/netns/$DIRECTOR_NS"
mkdir -p "$NETNS_ETC"
trap 'rm -rf "$NETNS_ETC"; uvs_cleanup' EXIT
# Each unanswered query costs 6 s (timeout:6 attempts:1; the defaults would cost 10 s): more
# than the 5 s the other clients are given, so a lookup on the control thread fails the test.
printf 'nameserver 127.0.0.1\noptions timeout:6 attempts:1\n' >"$NETNS_ETC/resolv.conf"
# No hosts file entries for the test's addresses, whatever the host's /etc/hosts says.
printf '127.0.0.1 localhost\n' >"$NETNS_ETC/hosts"

# The DNS server that never answers: it logs each query's name, one per line.
DNS_LOG="$UVS_TMP/dns-queries.log"
: >"$DNS_LOG"
bg director "$UVS_TMP/dns.log" python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 53))
log = open(sys.argv[1], 'a', buffering=1)
while True:
    data, _ = s.recvfrom(4096)
    i, labels = 12, []
    while i < len(data) and data[i] != 0:
        labels.append(data[i + 1:i + 1 + data[i]].decode('ascii', 'replace'))
        i += 1 + data[i]
    log.write('.'.join(labels) + '\n')
" "$DNS_LOG"
dns_up() { ip netns exec "$DIRECTOR_NS" ss -Hlun | grep -q '127.0.0.1:53 '; }
check "the silent DNS server is listening" wait_until 10 dns_up

start_uvsd "$UVS_ROOT/config/nat-rr.toml" || { fail "uvsd starts"; finish; }

# Runs `uvsadm ARGS` in the background, bounded; its output, status and duration (ms) go to
# $UVS_TMP/NAME.{out,err,rc,ms}.
slow_uvsadm() {
  local name=$1; shift
  (
    t0=$(date +%s%N)
    timeout 120 "$UVSADM" --socket "$UVS_SOCKET_PATH" "$@" >"$UVS_TMP/$name.out" \
      2>"$UVS_TMP/$name.err"
    rc=$?
    echo $((($(date +%s%N) - t0) / 1000000)) >"$UVS_TMP/$name.ms"
    echo $rc >"$UVS_TMP/$name.rc"
  ) &
  LAST_PID=$!
  _UVS_PIDS+=($!)
}
# prompt NAME ARGS...: uvsadm ARGS must finish within 5 s (and succeed).
prompt() {
  local what=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  if timeout 5 "$UVSADM" --socket "$UVS_SOCKET_PATH" "$@" >"$UVS_TMP/prompt.out" 2>&1; then
    t1=$(date +%s%N)
    pass "$what ($(((t1 - t0) / 1000000)) ms)"
  else
    fail "$what (not answered within 5 s)"
  fi
}
queries() { grep -c "$1" "$DNS_LOG"; }

# --- a listing with names: three PTR queries (the VIP and both real servers), 6 s each.
header=$("$UVSADM" --socket "$UVS_SOCKET_PATH" -Ln | head -3)
slow_uvsadm slow_list -L
SLOW=$LAST_PID
check "uvsd asks DNS for the listing's names" wait_until 10 grep -q 'in-addr.arpa' "$DNS_LOG"
prompt "uvsadm -Ln is answered while uvsadm -L waits on DNS" -Ln
check "... and uvsadm -L is still waiting" kill -0 "$SLOW"
check "... and that listing is whole" grep -q "^TCP  $VIP:80 rr" "$UVS_TMP/prompt.out"
prompt "a change is applied while uvsadm -L waits on DNS" -a -t $VIP:80 -r 10.0.2.13:80 -m
prompt "--counters is answered while uvsadm -L waits on DNS" --counters
check "... and uvsadm -L is still waiting" kill -0 "$SLOW"
reloads_before=$(grep -c 'reloaded' "$UVS_TMP/uvsd.log")
kill -HUP "$UVSD_PID"
check "a SIGHUP reload is done while uvsadm -L waits on DNS" \
  wait_until 5 bash -c "[ \$(grep -c reloaded '$UVS_TMP/uvsd.log') -gt $reloads_before ]"
check "... and the reload removed the server uvsadm added (the file does not have it)" \
  bash -c "! '$UVSADM' --socket '$UVS_SOCKET_PATH' -Ln | grep -q 10.0.2.13"

check "uvsadm -L ends by itself" wait_until 60 test -s "$UVS_TMP/slow_list.rc"
echo "uvsadm -L took $(cat "$UVS_TMP/slow_list.ms") ms; its output:"
cat "$UVS_TMP/slow_list.out"
check "uvsadm -L exits 0" test "$(cat "$UVS_TMP/slow_list.rc")" = 0
check "uvsadm -L waited for DNS (3 names, 6 s each)" test "$(cat "$UVS_TMP/slow_list.ms")" -ge 15000
check "uvsd asked for each address once (VIP, both real servers)" \
  test "$(queries '100.1.0.10.in-addr.arpa')$(queries '11.2.0.10.in-addr.arpa')$(queries '12.2.0.10.in-addr.arpa')" = 111
# What ipvsadm prints when gethostbyaddr finds nothing: the address, and the port's service
# name (getservbyport reads /etc/services, no DNS); the column widths of the numeric listing.
port=$(getent services 80/tcp | awk '{print $1}')
port=${port:-80}
# The listing is of the table as it was when uvsadm -L asked (before the change and reload).
expected=$(printf '%s\n' "$header" "TCP  $VIP:$port rr" \
  "$(printf '  -> %-28s %-7s %-6s %-10s %-10s' "10.0.2.11:$port" Masq 1 0 0)" \
  "$(printf '  -> %-28s %-7s %-6s %-10s %-10s' "10.0.2.12:$port" Masq 1 0 0)")
check "uvsadm -L prints what ipvsadm prints when no name is found" \
  test "$(cat "$UVS_TMP/slow_list.out")" = "$expected"

# --- a host name as an argument: looked up by uvsd, off its control thread, once.
slow_uvsadm slow_add -a -t $VIP:80 -r rs3.uvs-test.invalid:80 -m
SLOW=$LAST_PID
check "uvsd asks DNS for the real server's name" wait_until 10 grep -q 'rs3.uvs-test.invalid' "$DNS_LOG"
prompt "uvsadm -Ln is answered while uvsadm -a waits on DNS" -Ln
check "... and uvsadm -a is still waiting" kill -0 "$SLOW"
check "uvsadm -a ends by itself" wait_until 60 test -s "$UVS_TMP/slow_add.rc"
check "uvsadm -a with a name DNS cannot resolve fails as ipvsadm does (exit 2)" \
  test "$(cat "$UVS_TMP/slow_add.rc")" = 2
check "... with ipvsadm's message" \
  grep -qx 'illegal real server address\[:port\] specified' "$UVS_TMP/slow_add.err"
check "the name was looked up once (by uvsd, not also by uvsadm)" \
  test "$(grep -c '^rs3.uvs-test.invalid$' "$DNS_LOG")" -eq 1

check "uvsd survived" kill -0 "$UVSD_PID"
if [[ $FAILURES -ne 0 ]]; then
  echo "--- DNS queries"
  cat "$DNS_LOG"
  echo "--- uvsd log"
  cat "$UVS_TMP/uvsd.log"
fi
finish
