#!/usr/bin/env bash
# A 50 MB HTTP download through the NAT arrives intact (checked by hash). The real server's TCP
# stack sends GSO super-packets with partial checksums over veth; uvsd rewrites them once and
# lets the kernel segment them, so this also proves the vnet-header path.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3 sha256sum

nat_topology
mkdir -p "$UVS_TMP/www-rs1" "$UVS_TMP/www-rs2"
head -c 50000000 /dev/urandom >"$UVS_TMP/www-rs1/big.bin"
cp "$UVS_TMP/www-rs1/big.bin" "$UVS_TMP/www-rs2/big.bin"
web_server rs1 RS1
web_server rs2 RS2
start_uvsd "$UVS_ROOT/config/nat-rr.toml"

want=$(sha256sum <"$UVS_TMP/www-rs1/big.bin" | cut -d' ' -f1)
for i in 1 2; do
  start=$(date +%s%N)
  got=$(nsx client curl -sS --max-time 120 http://10.0.1.100/big.bin | sha256sum | cut -d' ' -f1)
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "download $i: $got (${ms} ms)"
  check "download $i of 50 MB arrives intact" test "$got" = "$want"
done
uvsadm -Ln --stats
uvsadm --counters | sed -n '/^drops:/,/^events:/p'
finish
