#!/usr/bin/env bash
# The seeds' NAT experiment with rr: real HTTP servers behind uvsd, requests alternate between
# the two real servers (newest first, so RS2 first), counters add up, connections are listed;
# -Ln (before and after) and -Sn are compared byte for byte through uvsadm and the socket.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3

nat_topology
web_server rs1 RS1
web_server rs2 RS2
start_uvsd "$UVS_ROOT/config/nat-rr.toml"

# The listings, byte for byte, through the real uvsadm binary and uvsd's socket (ipvsadm pads
# the counters' columns, hence the trailing blanks).
header='IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.1.100:80 rr'
row() { printf '  -> %-28s Masq    %-6s %-10s %-10s\n' "$@"; }
uvsadm -Ln >"$UVS_TMP/ln-before.txt"
{ echo "$header"; row 10.0.2.11:80 1 0 0; row 10.0.2.12:80 1 0 0; } >"$UVS_TMP/ln-before.expected"
check "uvsadm -Ln prints ipvsadm's listing byte for byte" \
  cmp "$UVS_TMP/ln-before.expected" "$UVS_TMP/ln-before.txt"
check "uvsadm -Sn prints ipvsadm's rules, sorted as ipvsadm sorts them" \
  test "$(uvsadm -Sn)" = "-A -t 10.0.1.100:80 -s rr
-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m -w 1
-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m -w 1"

answers=()
for i in $(seq 1 10); do
  answers+=("$(fetch http://10.0.1.100/)")
done
expected=(RS2 RS1 RS2 RS1 RS2 RS1 RS2 RS1 RS2 RS1)
check "rr alternates RS2, RS1, ... (got: ${answers[*]})" test "${answers[*]}" = "${expected[*]}"

stats=$(uvsadm -Ln --stats)
echo "$stats"
check "each real server counted 5 connections" \
  bash -c "grep -Eq '10\.0\.2\.11:80 +5 ' <<<\"\$0\" && grep -Eq '10\.0\.2\.12:80 +5 ' <<<\"\$0\"" "$stats"
check "the service counted 10 connections" grep -Eq 'TCP  10\.0\.1\.100:80 +10 ' <<<"$stats"
# After ten closed connections: InActConn counts the TIME_WAIT entries, five each.
{ echo "$header"; row 10.0.2.11:80 1 0 5; row 10.0.2.12:80 1 0 5; } >"$UVS_TMP/ln-after.expected"
uvsadm -Ln >"$UVS_TMP/ln-after.txt"
check "uvsadm -Ln after the requests, byte for byte (InActConn 5 each)" \
  cmp "$UVS_TMP/ln-after.expected" "$UVS_TMP/ln-after.txt"
conns=$(uvsadm -Lnc)
echo "$conns" | head -5
check "connections are listed, closed ones in TIME_WAIT" \
  bash -c "[[ \$(grep -c 'TIME_WAIT' <<<\"\$0\") -eq 10 ]]" "$conns"
check "no frame was dropped" bash -c "! uvsadm_out=\$($UVSADM --socket $UVS_SOCKET_PATH --counters | sed -n '/^drops:/,/^passed/p' | grep -v -e '^drops:' -e '^passed'); [[ -z \$uvsadm_out ]]"
finish
