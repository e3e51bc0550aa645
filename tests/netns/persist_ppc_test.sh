#!/usr/bin/env bash
# Persistence with real programs (config/nat-persistent.toml, reference §4, P2/P4): curl from
# one client address makes ten connections and every one reaches the same real server; a
# second client address gets its own persistence template and, with rr, the other server. The
# templates are listed by uvsadm -Lnc and counted in PersistConn. A quiesced server keeps its
# persistent client (expire_quiescent_template = false) while new clients go elsewhere.
#
# The second client is another address on the client's interface, so uvsd has to resolve it
# by ARP to send the replies back.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3

nat_topology
ip -n "$(ns client)" addr add 10.0.1.3/24 dev eth0
web_server rs1 RS1
web_server rs2 RS2
start_uvsd "$UVS_ROOT/config/nat-persistent.toml"

# answers SOURCE_ADDRESS COUNT -> the pages of COUNT requests, space separated
answers() {
  local out=() i
  for i in $(seq 1 "$2"); do
    out+=("$(fetch --interface "$1" http://10.0.1.100/ || echo FAILED)")
  done
  echo "${out[*]}"
}
distinct() { tr ' ' '\n' <<<"$1" | sort -u | tr '\n' ' ' | sed 's/ $//'; }

first=$(answers 10.0.1.2 10)
second=$(answers 10.0.1.3 10)
echo "client 10.0.1.2: $first"
echo "client 10.0.1.3: $second"
check "ten connections of 10.0.1.2 all reached one real server" \
  bash -c "[[ '$(distinct "$first")' =~ ^RS[12]$ ]]"
check "ten connections of 10.0.1.3 all reached one real server" \
  bash -c "[[ '$(distinct "$second")' =~ ^RS[12]$ ]]"
check "the second client landed on the other server (rr's next pick)" \
  test "$(distinct "$first")" != "$(distinct "$second")"

conns=$(uvsadm -Lnc)
echo "$conns" | grep -E 'NONE|ASSURED'
check "one template per client, client port 0, ASSURED, for VIP:80" \
  bash -c "grep -Eq '^TCP [0-9:]+ +ASSURED +10\.0\.1\.2:0 +10\.0\.1\.100:80 +10\.0\.2\.1[12]:80\$' <<<\"\$0\" &&
           grep -Eq '^TCP [0-9:]+ +ASSURED +10\.0\.1\.3:0 +10\.0\.1\.100:80 +10\.0\.2\.1[12]:80\$' <<<\"\$0\" &&
           [[ \$(grep -Ec 'NONE|ASSURED' <<<\"\$0\") -eq 2 ]]" "$conns"
pc=$(uvsadm -Ln --persistent-conn)
echo "$pc"
check "PersistConn is 1 on each real server" \
  bash -c "[[ \$(grep -Ec '^  -> 10\.0\.2\.1[12]:80 +1 +1 ' <<<\"\$0\") -eq 2 ]]" "$pc"
stats=$(uvsadm -Ln --stats)
check "each real server counted 10 connections (templates are not counted)" \
  bash -c "[[ \$(grep -Ec '^  -> 10\.0\.2\.1[12]:80 +10 ' <<<\"\$0\") -eq 2 ]]" "$stats"

# Quiesce the first client's server: that client stays, a new client goes to the other one.
first_rs=$(distinct "$first")
first_ip=10.0.2.11
[[ $first_rs == RS2 ]] && first_ip=10.0.2.12
uvsadm -e -t 10.0.1.100:80 -r "$first_ip:80" -m -w 0
ip -n "$(ns client)" addr add 10.0.1.4/24 dev eth0
again=$(answers 10.0.1.2 3)
third=$(answers 10.0.1.4 3)
echo "after weight 0 on $first_ip: 10.0.1.2: $again, 10.0.1.4: $third"
check "the persistent client keeps its quiesced server" test "$(distinct "$again")" = "$first_rs"
check "a new client avoids the quiesced server" \
  bash -c "[[ '$(distinct "$third")' =~ ^RS[12]$ && '$(distinct "$third")' != '$first_rs' ]]"
finish
