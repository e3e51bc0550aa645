#!/usr/bin/env bash
# Persistent client connection with real programs (config/nat-pcc.toml, reference §4.1, P6):
# the VIP's port 0 service takes every TCP port; connections of one client to ports 80 and 22
# reach the same real server, each on the port the client asked for (the listeners say who
# they are and on which port they were reached). A second client address gets its own
# template: with rr, the other server, for both ports.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds python3

nat_topology
ip -n "$(ns client)" addr add 10.0.1.3/24 dev eth0

# who_server ROLE NAME PORT: answers each connection with "NAME:<local port>" and closes.
who_server() {
  bg "$1" "$UVS_TMP/who-$1-$3.log" python3 -c "
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', $3))
s.listen(64)
while True:
    c, peer = s.accept()
    c.sendall(b'$2:%d\n' % c.getsockname()[1])
    c.close()
"
  wait_until 10 nsx "$1" python3 -c "import socket; socket.create_connection(('127.0.0.1', $3), 1)"
}
# ask SOURCE_ADDRESS PORT -> the line the real server sent
ask() {
  nsx client python3 -c "
import socket
s = socket.create_connection(('10.0.1.100', $2), timeout=5, source_address=('$1', 0))
print(s.makefile().readline().strip())
" 2>/dev/null || echo FAILED
}

for rs in rs1 rs2; do
  for port in 80 22; do
    who_server "$rs" "${rs^^}" "$port"
  done
done
start_uvsd "$UVS_ROOT/config/nat-pcc.toml"

declare -A got
for client in 10.0.1.2 10.0.1.3; do
  for port in 80 22 80 22; do
    got[$client]+="$(ask "$client" "$port") "
  done
  echo "client $client: ${got[$client]}"
done
a=(${got[10.0.1.2]})
b=(${got[10.0.1.3]})
check "10.0.1.2: ports 80 and 22 reached one real server, ports unchanged" \
  bash -c "[[ '${a[0]}' =~ ^RS[12]:80$ && '${a[1]}' == '${a[0]%:*}:22' && '${a[2]}' == '${a[0]}' && '${a[3]}' == '${a[1]}' ]]"
check "10.0.1.3: ports 80 and 22 reached one real server, ports unchanged" \
  bash -c "[[ '${b[0]}' =~ ^RS[12]:80$ && '${b[1]}' == '${b[0]%:*}:22' && '${b[2]}' == '${b[0]}' && '${b[3]}' == '${b[1]}' ]]"
check "the second client landed on the other real server" test "${a[0]%:*}" != "${b[0]%:*}"

conns=$(uvsadm -Lnc)
echo "$conns"
check "the templates have virtual port 0 and destination port 0" \
  bash -c "[[ \$(grep -Ec '^TCP [0-9:]+ +(NONE|ASSURED) +10\.0\.1\.[23]:0 +10\.0\.1\.100:0 +10\.0\.2\.1[12]:0\$' <<<\"\$0\") -eq 2 ]]" "$conns"
check "connections keep their ports: VIP:22 went to RS:22" \
  bash -c "grep -Eq '^TCP .* 10\.0\.1\.2:[0-9]+ +10\.0\.1\.100:22 +10\.0\.2\.1[12]:22\$' <<<\"\$0\"" "$conns"
finish
