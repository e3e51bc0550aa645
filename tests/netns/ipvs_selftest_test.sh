#!/usr/bin/env bash
# The kernel's own IPVS selftest (tools/testing/selftests/net/netfilter/ipvs.sh, reference §8) with
# uvsd in place of ipvsadm: three namespaces, VIP 207.175.44.110:8080, 32 random bytes from the
# client must arrive unchanged at the real server's listener, for DR, NAT and TUN, each on a fresh
# setup. TUN uses `uvs-rs decap` because this kernel has no ipip module. Extra checks the upstream
# script does not make: Conns = 1, and OutPkts > 0 for NAT, = 0 for DR/TUN; and a fourth mode,
# TUN over GUE with remote checksum offload: the client's segments leave its veth with partial
# checksums, uvsd adds the REMCSUM option and uvs-rs decap must complete each inner checksum, or
# the real server's kernel drops the segments and the bytes never arrive.
#
#   ns0 client: br0 = veth01 + veth02, 10.0.0.2/24
#   ns1 director: veth10 10.0.0.1/24, veth12 172.16.0.1/24 (uvsd)
#   ns2 real server: veth21 172.16.0.2/24, veth20 10.0.0.3/24 (answers the client directly in DR/TUN)
source "$(dirname "$0")/lib.sh"
require_root
require_cmds socat python3 cmp

VIP=207.175.44.110
PORT=8080

setup() {  # MODE
  ns_create client
  ns_create director
  ns_create rs
  link client veth01 director veth10
  link client veth02 rs veth20
  link director veth12 rs veth21
  ip -n "$(ns client)" link add br0 type bridge
  ip -n "$(ns client)" link set veth01 master br0
  ip -n "$(ns client)" link set veth02 master br0
  ip -n "$(ns client)" link set br0 up
  ip -n "$(ns client)" addr add 10.0.0.2/24 dev br0
  ip -n "$(ns client)" route add "$VIP" via 10.0.0.1
  ip -n "$(ns director)" addr add 10.0.0.1/24 dev veth10
  ip -n "$(ns director)" addr add 172.16.0.1/24 dev veth12
  ip -n "$(ns rs)" addr add 172.16.0.2/24 dev veth21
  ip -n "$(ns rs)" addr add 10.0.0.3/24 dev veth20
  case $1 in
    nat)
      ip -n "$(ns rs)" link del veth20
      ip -n "$(ns rs)" route add default via 172.16.0.1
      ;;
    dr | tun | gue-remcsum)
      UVS_RS_STATE="$UVS_TMP/rs-$1.state" nsx rs "$UVS_RS" up --vip "$VIP" --iface veth21 >/dev/null
      ;;
  esac
  local forward=$1 tunnel=""
  case $1 in
    tun)
      bg rs "$UVS_TMP/decap-$1.log" "$UVS_RS" decap
      wait_until 5 ip -n "$(ns rs)" link show uvs-decap0
      ;;
    gue-remcsum)
      bg rs "$UVS_TMP/decap-$1.log" "$UVS_RS" decap --gue-port 6080
      wait_until 5 ip -n "$(ns rs)" link show uvs-decap0
      forward=tun
      tunnel=$'  tunnel = "gue"\n  tunnel_port = 6080\n  tunnel_csum = "remcsum"'
      ;;
  esac
  cat >"$UVS_TMP/$1.toml" <<TOML
[daemon]
interfaces = ["veth10", "veth12"]
[[service]]
protocol = "tcp"
address = "$VIP:$PORT"
scheduler = "rr"
  [[service.real]]
  address = "172.16.0.2:$PORT"
  forward = "$forward"
$tunnel
TOML
  start_uvsd "$UVS_TMP/$1.toml"
}

teardown() {
  uvs_cleanup_namespaces
}

run_mode() {
  local mode=$1
  echo "== $mode"
  setup "$mode"
  head -c 32 /dev/urandom >"$UVS_TMP/sent-$mode"
  bg rs "$UVS_TMP/listen-$mode.log" timeout 5 socat -u -4 "TCP-LISTEN:$PORT,reuseaddr" \
    "OPEN:$UVS_TMP/received-$mode,creat,trunc"
  local listener=$LAST_PID
  wait_until 5 bash -c "ip netns exec $(ns rs) ss -Hltn 'sport = :$PORT' | grep -q ."
  nsx client timeout 2 socat -u -4 STDIN "TCP:$VIP:$PORT" <"$UVS_TMP/sent-$mode" || true
  wait_until 6 bash -c "! kill -0 $listener 2>/dev/null"
  check "$mode: the 32 bytes arrived unchanged" cmp -s "$UVS_TMP/sent-$mode" "$UVS_TMP/received-$mode"
  local stats; stats=$(uvsadm -Ln --stats)
  echo "$stats"
  check "$mode: Conns = 1" bash -c "awk '\$2 ~ /^172\\.16/ {exit !(\$3 == 1)}' <<<\"\$0\"" "$stats"
  if [[ $mode == nat ]]; then
    check "$mode: OutPkts > 0" bash -c "awk '\$2 ~ /^172\\.16/ {exit !(\$5 > 0)}' <<<\"\$0\"" "$stats"
  else
    check "$mode: OutPkts = 0" bash -c "awk '\$2 ~ /^172\\.16/ {exit !(\$5 == 0)}' <<<\"\$0\"" "$stats"
  fi
  stop_uvsd
  teardown
}

for mode in dr nat tun gue-remcsum; do
  run_mode "$mode"
done
finish
