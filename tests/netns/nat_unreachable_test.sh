#!/usr/bin/env bash
# Every real server at weight 0: new TCP connections and UDP datagrams are answered with ICMP
# port unreachable (reference §1.3, F9), so clients fail at once instead of timing out.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3

nat_topology
web_server rs1 RS1
web_server rs2 RS2
sed -e 's/forward = "nat"/forward = "nat"\n  weight = 0/' "$UVS_ROOT/config/nat-rr.toml" >"$UVS_TMP/nat-zero.toml"
cat >>"$UVS_TMP/nat-zero.toml" <<'TOML'

[[service]]
protocol = "udp"
address = "10.0.1.100:53"
scheduler = "rr"
  [[service.real]]
  address = "10.0.2.11:53"
  forward = "nat"
  weight = 0
TOML
start_uvsd "$UVS_TMP/nat-zero.toml"
uvsadm -Ln

start=$(date +%s%N)
out=$(nsx client curl -sS --max-time 5 http://10.0.1.100/ 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "curl: exit $rc after ${ms} ms: $out"
check "TCP connection refused (curl exit 7)" test "$rc" -eq 7
check "refused at once, not by a timeout (${ms} ms)" test "$ms" -lt 3000
udp=$(nsx client python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(('10.0.1.100', 53))
s.settimeout(3)
s.send(b'q')
try:
    s.recv(100)
    print('answered')
except ConnectionRefusedError:
    print('refused')
except socket.timeout:
    print('timeout')
")
check "UDP answered with port unreachable (connected socket sees ECONNREFUSED)" test "$udp" = "refused"
counters=$($UVSADM --socket "$UVS_SOCKET_PATH" --counters)
check "drops counted as no_real_available" grep -Eq 'no_real_available: [2-9]' <<<"$counters"
check "ICMP errors counted" grep -Eq 'icmp_errors_sent: [2-9]' <<<"$counters"
check "no connection was created" bash -c "! $UVSADM --socket $UVS_SOCKET_PATH -Lnc | grep -q -e TCP -e UDP"
finish
