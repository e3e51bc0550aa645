#!/usr/bin/env bash
# A UDP request/response through the NAT (config/nat-udp.toml): the answer comes back from the
# VIP, and rr spreads new flows over both real servers.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds python3

nat_topology
udp_server rs1 RS1 53
udp_server rs2 RS2 53
start_uvsd "$UVS_ROOT/config/nat-udp.toml"

ask() {  # ask SOURCE_PORT PAYLOAD -> prints "answer from-address"
  nsx client python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('10.0.1.2', $1))
s.settimeout(3)
s.sendto(b'$2', ('10.0.1.100', 53))
data, peer = s.recvfrom(2048)
print(data.decode(), peer[0] + ':' + str(peer[1]))
"
}
a1=$(ask 40001 ping1) || a1="timeout"
a2=$(ask 40002 ping2) || a2="timeout"
echo "$a1 / $a2"
check "first flow answered from the VIP" bash -c "[[ '$a1' == RS?:ping1\ 10.0.1.100:53 ]]"
check "second flow answered from the VIP" bash -c "[[ '$a2' == RS?:ping2\ 10.0.1.100:53 ]]"
check "rr put the two flows on different real servers" test "${a1%%:*}" != "${a2%%:*}"
a3=$(ask 40001 again) || a3="timeout"
check "the first flow's next datagram sticks to its real server" test "${a3%%:*}" = "${a1%%:*}"
conns=$(uvsadm -Lnc)
echo "$conns"
check "two UDP entries listed" bash -c "[[ \$(grep -c '^UDP' <<<\"\$0\") -eq 2 ]]" "$conns"
finish
