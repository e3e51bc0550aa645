#!/usr/bin/env bash
# wrr with weights 3 and 1: exactly 30 and 10 of 40 new connections (reference §2.2).
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3

nat_topology
web_server rs1 RS1
web_server rs2 RS2
start_uvsd "$UVS_ROOT/config/nat-wrr.toml"
uvsadm -Ln

rs1=0 rs2=0 other=0
for i in $(seq 1 40); do
  case "$(fetch http://10.0.1.100/)" in
    RS1) rs1=$((rs1 + 1)) ;;
    RS2) rs2=$((rs2 + 1)) ;;
    *) other=$((other + 1)) ;;
  esac
done
echo "RS1=$rs1 RS2=$rs2 failed=$other"
check "RS1 (weight 3) gets 30, RS2 (weight 1) gets 10" test "$rs1,$rs2" = "30,10"
check "no request failed" test "$other" -eq 0
finish
