#!/usr/bin/env bash
# The seeds' single-network LVS/DR experiment (seeds 000/001): a remote client reaches a router;
# the router, the director and two real servers share one L2 segment (192.168.30.0/24). The VIP
# 192.168.30.7 lives on the real servers' lo (set up with `uvs-rs up`), never on the director's
# kernel: uvsd answers ARP for it. Checks: rr alternates RS2, RS1 over HTTP; `uvs-rs check`
# passes on the prepared real servers and fails on one set up without it; uvsd's ARP probes
# find that unprepared server holding the VIP (it would answer the router), and uvsd logs and
# counts the conflict, as it does when the server announces the VIP itself.
#
#   client 172.20.0.222 ── router 172.20.0.200 | 192.168.30.200 ── switch ─┬─ director 192.168.30.8
#                                                                          ├─ rs1 192.168.30.17
#                                                                          ├─ rs2 192.168.30.27
#                                                                          └─ rs3 192.168.30.37 (unprepared)
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3

ns_create client
ns_create router
ns_create switch
ns_create director
ns_create rs1
ns_create rs2
ns_create rs3
link client eth0 router eth0
link router eth1 switch p0
link director eth0 switch p1
link rs1 eth0 switch p2
link rs2 eth0 switch p3
link rs3 eth0 switch p4
ip -n "$(ns switch)" link add br0 type bridge
for p in p0 p1 p2 p3 p4; do ip -n "$(ns switch)" link set "$p" master br0; done
ip -n "$(ns switch)" link set br0 up
ip -n "$(ns client)" addr add 172.20.0.222/24 dev eth0
ip -n "$(ns client)" route add default via 172.20.0.200
ip -n "$(ns router)" addr add 172.20.0.200/24 dev eth0
ip -n "$(ns router)" addr add 192.168.30.200/24 dev eth1
nsx router sysctl -qw net.ipv4.ip_forward=1
ip -n "$(ns director)" addr add 192.168.30.8/24 dev eth0
ip -n "$(ns director)" route add default via 192.168.30.200
for i in 1 2 3; do
  ip -n "$(ns rs$i)" addr add "192.168.30.${i}7/24" dev eth0
  ip -n "$(ns rs$i)" route add default via 192.168.30.200
done

# Real servers: the VIP on lo with ARP suppression, exactly what the seeds' lvsdr script does.
for i in 1 2; do
  UVS_RS_STATE="$UVS_TMP/rs$i.state" nsx "rs$i" "$UVS_RS" up --vip 192.168.30.7 --iface eth0 >/dev/null
  web_server "rs$i" "RS$i"
done
cat >"$UVS_TMP/dr.toml" <<'TOML'
[daemon]
interfaces = ["eth0"]
vip_probe_interval = 1
[[service]]
protocol = "tcp"
address = "192.168.30.7:80"
scheduler = "rr"
  [[service.real]]
  address = "192.168.30.17"
  forward = "dr"
  [[service.real]]
  address = "192.168.30.27"
  forward = "dr"
TOML
start_uvsd "$UVS_TMP/dr.toml"
uvsadm -Ln
check "uvsd probes for the VIP" wait_until 5 bash -c "$UVSADM --socket $UVS_SOCKET_PATH --counters | grep -Eq 'vip_probes_sent: [1-9]'"

answers=()
for i in $(seq 1 6); do answers+=("$(fetch http://192.168.30.7/)"); done
check "rr alternates RS2, RS1 through DR (got: ${answers[*]})" \
  test "${answers[*]}" = "RS2 RS1 RS2 RS1 RS2 RS1"
stats=$(uvsadm -Ln --stats)
echo "$stats"
check "DR counts the client's packets only (InPkts > 0, OutPkts 0)" \
  bash -c "awk '\$1 == \"TCP\" {exit !(\$4 > 0 && \$5 == 0)}' <<<\"\$0\"" "$stats"

conflicts() { "$UVSADM" --socket "$UVS_SOCKET_PATH" --counters | awk '$1 == "vip_conflicts:" {print $2}'; }
sleep 2  # two probe rounds
check "the prepared real servers do not answer the probes (vip_conflicts $(conflicts))" \
  test "$(conflicts)" = 0

# rs3: the VIP on lo but no ARP suppression (the classic mistake). Added only now: from here on
# it would answer the router's ARP for the VIP and steal clients. It sends nothing itself; the
# next probe finds it.
ip -n "$(ns rs3)" addr add 192.168.30.7/32 dev lo
rs3_mac=$(ip -n "$(ns rs3)" link show eth0 | awk '/link\/ether/ {print $2}')
found() { [ "$(conflicts)" -gt 0 ]; }
check "uvsd's probe finds rs3 holding the VIP" wait_until 5 found
check "and logs it, naming rs3's MAC" \
  wait_until 5 grep -q "192.168.30.7 is also claimed in ARP by $rs3_mac" "$UVS_TMP/uvsd.log"

check "uvs-rs check passes on rs1" nsx rs1 "$UVS_RS" check --vip 192.168.30.7 --iface eth0
check "uvs-rs check passes on rs2" nsx rs2 "$UVS_RS" check --vip 192.168.30.7 --iface eth0
out=$(nsx rs3 "$UVS_RS" check --vip 192.168.30.7 --iface eth0 2>&1); rc=$?
echo "$out"
check "uvs-rs check fails on the unprepared rs3" test "$rc" -ne 0
check "and says what is wrong (arp_ignore)" grep -q arp_ignore <<<"$out"

# Probes off the path: rs3 sends a datagram from the VIP. Without arp_announce=2 its ARP request
# carries the VIP as sender, broadcast on the segment; uvsd counts that claim too.
before=$(conflicts)
ip -n "$(ns rs3)" neigh flush all
nsx rs3 python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('192.168.30.7', 0))
s.sendto(b'hello', ('192.168.30.200', 9))
"
more() { [ "$(conflicts)" -gt "$before" ]; }
check "uvsd counted the announcing claim" wait_until 5 more
grep "claimed" "$UVS_TMP/uvsd.log" | head -1
finish
