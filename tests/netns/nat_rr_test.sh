#!/usr/bin/env bash
# The seeds' NAT experiment with rr: real HTTP servers behind uvsd, requests alternate between
# the two real servers (newest first, so RS2 first), counters add up, connections are listed.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3

nat_topology
web_server rs1 RS1
web_server rs2 RS2
start_uvsd "$UVS_ROOT/config/nat-rr.toml"

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
conns=$(uvsadm -Lnc)
echo "$conns" | head -5
check "connections are listed, closed ones in TIME_WAIT" \
  bash -c "[[ \$(grep -c 'TIME_WAIT' <<<\"\$0\") -eq 10 ]]" "$conns"
check "no frame was dropped" bash -c "! uvsadm_out=\$($UVSADM --socket $UVS_SOCKET_PATH --counters | sed -n '/^drops:/,/^passed/p' | grep -v -e '^drops:' -e '^passed'); [[ -z \$uvsadm_out ]]"
finish
