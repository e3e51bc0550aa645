#!/usr/bin/env bash
# Firewall-mark persistence with real programs (config/nat-fwmark.toml, reference §4.1, P7):
# the [[mark]] rule gives HTTP (80) and HTTPS (443) of the VIP mark 1, and the persistent fwmark
# service keeps a client on one real server across both ports. A second client address gets
# the other server (rr). Ports outside the rule are not uvsd's business. The template is listed
# as protocol IP, virtual 0.0.0.1:0.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3

nat_topology
ip -n "$(ns client)" addr add 10.0.1.3/24 dev eth0
web_server rs1 RS1
web_server rs2 RS2
for rs in rs1 rs2; do  # the same pages on 443 (plain HTTP: the port is what matters here)
  bg "$rs" "$UVS_TMP/http443-$rs.log" python3 -m http.server 443 --bind 0.0.0.0 \
    --directory "$UVS_TMP/www-$rs"
  wait_until 10 nsx "$rs" python3 -c "import socket; socket.create_connection(('127.0.0.1', 443), 1)"
done
start_uvsd "$UVS_ROOT/config/nat-fwmark.toml"

# pages SOURCE_ADDRESS -> answers for :80, :443, :80, :443
pages() {
  local out=() port
  for port in 80 443 80 443; do
    out+=("$(fetch --interface "$1" "http://10.0.1.100:$port/" || echo FAILED)")
  done
  echo "${out[*]}"
}
a=$(pages 10.0.1.2)
b=$(pages 10.0.1.3)
echo "client 10.0.1.2 (80 443 80 443): $a"
echo "client 10.0.1.3 (80 443 80 443): $b"
one() { tr ' ' '\n' <<<"$1" | sort -u | tr '\n' ' ' | sed 's/ $//'; }
check "10.0.1.2 reached one real server on 80 and 443" bash -c "[[ '$(one "$a")' =~ ^RS[12]$ ]]"
check "10.0.1.3 reached one real server on 80 and 443" bash -c "[[ '$(one "$b")' =~ ^RS[12]$ ]]"
check "the second client landed on the other real server" test "$(one "$a")" != "$(one "$b")"

check "port 8080 of the VIP is not marked: no answer" \
  bash -c "! nsx_out=\$(ip netns exec $(ns client) curl -sS --max-time 2 http://10.0.1.100:8080/ 2>&1)"

conns=$(uvsadm -Lnc)
echo "$conns" | grep -E '^IP '
check "one template per client: protocol IP, virtual 0.0.0.1:0" \
  bash -c "[[ \$(grep -Ec '^IP +[0-9:]+ +(NONE|ASSURED) +10\.0\.1\.[23]:0 +0\.0\.0\.1:0 +10\.0\.2\.1[12]:0\$' <<<\"\$0\") -eq 2 ]]" "$conns"
check "connections keep their ports (443 went to 443)" \
  bash -c "grep -Eq '^TCP .* 10\.0\.1\.100:443 +10\.0\.2\.1[12]:443\$' <<<\"\$0\"" "$conns"
list=$(uvsadm -Ln)
echo "$list"
check "the service is listed as FWM 1 rr persistent 600" grep -q '^FWM  1 rr persistent 600$' <<<"$list"
finish
