#!/usr/bin/env bash
# A bulk TCP upload through a TUN (IPIP) service completes when the path to the real server is
# narrower than the client's link (issue 3: "PMTU works"). Two limits are learnt on the way:
#   1. uvsd's own: the director's link is 1500, so an encapsulated full-size segment would be
#      1520; uvsd answers the client with frag-needed 1480 (route MTU - 20, reference §5.4);
#   2. the router's: the router's link to the real server is 1400; it answers uvsd's tunnel
#      packets with frag-needed 1400 to the director's own address, and uvsd relays it to the
#      client as frag-needed 1380 (§5.5, ICMP errors about the director's tunnel packets).
# The real server decapsulates with `uvs-rs decap` and answers the client directly.
#
#   client 10.0.0.2 (br0) ─┬─ director veth10 10.0.0.1 | eth1 172.16.0.1 ── router ── (mtu 1400) ── rs 172.17.0.2
#                          └──────────────────────────────────── rs veth20 10.0.0.3 (replies)
source "$(dirname "$0")/lib.sh"
require_root
require_cmds socat python3 sha256sum

VIP=207.175.44.110
ns_create client
ns_create director
ns_create router
ns_create rs
link client veth01 director veth10
link client veth02 rs veth20
link director eth1 router eth0
link router eth1 rs eth0
ip -n "$(ns client)" link add br0 type bridge
ip -n "$(ns client)" link set veth01 master br0
ip -n "$(ns client)" link set veth02 master br0
ip -n "$(ns client)" link set br0 up
ip -n "$(ns client)" addr add 10.0.0.2/24 dev br0
ip -n "$(ns client)" route add "$VIP" via 10.0.0.1
ip -n "$(ns director)" addr add 10.0.0.1/24 dev veth10
ip -n "$(ns director)" addr add 172.16.0.1/24 dev eth1
ip -n "$(ns director)" route add 172.17.0.0/24 via 172.16.0.254
ip -n "$(ns router)" addr add 172.16.0.254/24 dev eth0
ip -n "$(ns router)" addr add 172.17.0.254/24 dev eth1
ip -n "$(ns router)" link set eth1 mtu 1400
nsx router sysctl -qw net.ipv4.ip_forward=1
ip -n "$(ns rs)" link set eth0 mtu 1400
ip -n "$(ns rs)" addr add 172.17.0.2/24 dev eth0
ip -n "$(ns rs)" addr add 10.0.0.3/24 dev veth20
ip -n "$(ns rs)" route add 172.16.0.0/24 via 172.17.0.254
UVS_RS_STATE="$UVS_TMP/rs.state" nsx rs "$UVS_RS" up --vip "$VIP" --iface eth0 >/dev/null
bg rs "$UVS_TMP/decap.log" "$UVS_RS" decap
wait_until 5 ip -n "$(ns rs)" link show uvs-decap0

cat >"$UVS_TMP/tun.toml" <<TOML
[daemon]
interfaces = ["veth10", "eth1"]
[[service]]
protocol = "tcp"
address = "$VIP:8080"
scheduler = "rr"
  [[service.real]]
  address = "172.17.0.2:8080"
  forward = "tun"
TOML
start_uvsd "$UVS_TMP/tun.toml"

head -c 20000000 /dev/urandom >"$UVS_TMP/upload.bin"
want=$(sha256sum <"$UVS_TMP/upload.bin" | cut -d' ' -f1)
bg rs "$UVS_TMP/listen.log" timeout 60 socat -u -4 TCP-LISTEN:8080,reuseaddr \
  "OPEN:$UVS_TMP/received.bin,creat,trunc"
listener=$LAST_PID
wait_until 5 bash -c "ip netns exec $(ns rs) ss -Hltn 'sport = :8080' | grep -q ."
start=$(date +%s%N)
nsx client timeout 60 socat -u -4 "OPEN:$UVS_TMP/upload.bin" "TCP:$VIP:8080" || true
wait_until 30 bash -c "! kill -0 $listener 2>/dev/null"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
got=$(sha256sum <"$UVS_TMP/received.bin" | cut -d' ' -f1)
echo "upload of 20 MB took ${ms} ms"
check "20 MB uploaded through the tunnel arrive intact" test "$got" = "$want"
counters=$(uvsadm --counters)
echo "$counters" | sed -n '/^drops:/,/^passed/p'
check "uvsd refused over-large segments with frag-needed" grep -Eq 'frag_needed: [1-9]' <<<"$counters"
pmtu=$(nsx client ip route get "$VIP" | grep -o 'mtu [0-9]*' || true)
echo "client's cached path MTU to the VIP: ${pmtu:-none}"
check "the client learnt the tunnel path's MTU (1380)" test "$pmtu" = "mtu 1380"
finish
