#!/usr/bin/env bash
# capture_case.sh — record the inputs of replay cases from real traffic, then make their expected
# outputs offline.
#
#   tests/replay/capture_case.sh [--list] [CASE...]      (no CASE: every captured case)
#
# For each case (defined in corpus_cases.sh): build the case's network-namespace topology (the
# director's interfaces, the peers' MACs and every address fixed, so a re-capture gives the same
# config), write pcaps/CASE/config.toml — the case's services plus a [replay] section generated
# from `ip -j` in the director's namespace (interfaces, MACs, MTUs, addresses, static routes) —
# start the real servers, start tcpdump on each of the director's interfaces capturing what
# ARRIVES there (`-Q in`), start a live uvsd with that very config.toml (plus a decision trace),
# run the real clients (curl, python3 sockets from corpus_traffic.py), stop everything, and store
# the captures as pcaps/CASE/in-IFACE.pcap. Then tests/replay/make_case.sh replays them offline
# into expected-IFACE.pcap and README.md, and the checks run on the offline replay: for every
# case, that each frame uvsd sent has correct checksums and that the live daemon made the same
# decisions about the captured frames; for each case, its own checks of the decision trace and
# the outputs (which real server each new connection got, drop reasons, ICMP sent, sizes) — the
# decisions the reference (ipvs-semantics.md) prescribes, so a regenerated case is a verified one.
#
# Peers have checksum and segmentation offloads off (ethtool): a capture file carries no vnet
# header, so a partial checksum or a GSO super-packet in it would not be what a wire carries
# (pcaps/README.md). IPv6 is off in every namespace (no router solicitations in the captures).
#
# Needs root, ip, tcpdump, ethtool, curl, python3 and a build (UVS_BUILD, default build/)
# with uvsd, uvsadm, uvs-rs. Not run by CI (captures change with every run: ports, sequence
# numbers, times); CI replays what is committed (ctest -R replay_golden). Exit 0 when every case
# was captured and passed its checks, 1 otherwise; namespaces, processes and temporary files are
# removed on every exit (tests/netns/lib.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../netns/lib.sh
source "$HERE/../netns/lib.sh"
PCAPS=${PCAPS:-$UVS_ROOT/pcaps}
TRAFFIC="$HERE/corpus_traffic.py"

# ---------------------------------------------------------------------------------------------
# Fixed addresses (the reference's test-vector addresses: clients 10.0.0.x, VIP 207.175.44.110,
# real servers 172.16.0.x, so ipvs-semantics.md §11 applies to the captures as written).
VIP=207.175.44.110
DIR_MAC0=02:00:00:00:01:01   # director eth0 (front, 10.0.0.254)
DIR_MAC1=02:00:00:00:02:01   # director eth1 (back, 172.16.0.1)
CLIENT_MAC=02:00:00:00:01:02 # client eth0 (10.0.0.2, aliases 10.0.0.1/.3/.4, 192.168.1.10, 1.2.3.4)
# rs<i>: back eth0 172.16.0.<i+1> MAC 02:00:00:00:02:1<i>; front eth1 10.0.0.1<i> MAC 02:00:00:00:01:1<i>
rs_ip() { echo "172.16.0.$(($1 + 1))"; }

# ---------------------------------------------------------------------------------------------
# Topology helpers.

# quiet_ns ROLE: no IPv6 (no router solicitations or MLD in the captures).
quiet_ns() {
  nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}
# peer_if ROLE IF MAC [MTU]: fixed MAC, offloads off (full checksums, no GSO frames), optional MTU.
peer_if() {
  ip -n "$(ns "$1")" link set "$2" address "$3"
  [ -n "${4:-}" ] && ip -n "$(ns "$1")" link set "$2" mtu "$4"
  nsx "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
}
# make_switch ROLE PORT...: a bridge in a namespace of its own (no ARP flux next to uvsd), without
# multicast snooping (its IGMP reports for 224.0.0.106 would be noise in the captures).
make_switch() {
  local role=$1 p
  shift
  ip -n "$(ns "$role")" link add br0 type bridge mcast_snooping 0
  for p in "$@"; do
    ip -n "$(ns "$role")" link set "$p" master br0
    nsx "$role" ethtool -K "$p" tx off tso off gso off gro off >/dev/null 2>&1 || true
  done
  ip -n "$(ns "$role")" link set br0 up
}

client_addresses() {
  local a
  ip -n "$(ns client)" addr add 10.0.0.2/24 dev eth0
  for a in 10.0.0.1/24 10.0.0.3/24 10.0.0.4/24 192.168.1.10/32 1.2.3.4/32; do
    ip -n "$(ns client)" addr add "$a" dev eth0
  done
  # The VIP is on the client's link (it ARPs for it, uvsd answers); the rest of 207.175.44.0/24
  # (fwmark services) is behind the director.
  ip -n "$(ns client)" route add "$VIP/32" dev eth0
  ip -n "$(ns client)" route add 207.175.44.0/24 via 10.0.0.254
}

# topo_nat N_RS [FRONT_MTU] [BACK_MTU]: the seeds' NAT experiment with the reference's addresses.
#   client 10.0.0.2 ── eth0 10.0.0.254 [director] eth1 172.16.0.1 ── switch ── rs1 172.16.0.2 ...
TOPO_NOTE=""
N_RS=0
topo_nat() {
  local n=$1 front_mtu=${2:-} back_mtu=${3:-} i p
  TOPO_NOTE="switch ── $n real server(s) rs<i> 172.16.0.<i+1> (NAT: default route via the director)"
  [ -z "$front_mtu" ] || TOPO_NOTE+=", front MTU $front_mtu"
  [ -z "$back_mtu" ] || TOPO_NOTE+=", back MTU $back_mtu"
  N_RS=$n
  ns_create client
  ns_create director
  ns_create switch
  link client eth0 director eth0
  link director eth1 switch p0
  for i in $(seq 1 "$n"); do
    ns_create "rs$i"
    link "rs$i" eth0 switch "p$i"
  done
  # shellcheck disable=SC2046  # one word per port
  make_switch switch $(for i in $(seq 0 "$n"); do echo "p$i"; done)
  if [ -n "$back_mtu" ]; then
    for i in $(seq 0 "$n"); do ip -n "$(ns switch)" link set "p$i" mtu "$back_mtu"; done
  fi
  for r in client director switch $(for i in $(seq 1 "$n"); do echo "rs$i"; done); do quiet_ns "$r"; done
  peer_if client eth0 "$CLIENT_MAC" "$front_mtu"
  peer_if director eth0 "$DIR_MAC0" "$front_mtu"
  peer_if director eth1 "$DIR_MAC1" "$back_mtu"
  client_addresses
  ip -n "$(ns director)" addr add 10.0.0.254/24 dev eth0
  ip -n "$(ns director)" addr add 172.16.0.1/24 dev eth1
  ip -n "$(ns director)" route add 192.168.1.10/32 via 10.0.0.2
  ip -n "$(ns director)" route add 1.2.3.4/32 via 10.0.0.2
  for i in $(seq 1 "$n"); do
    peer_if "rs$i" eth0 "02:00:00:00:02:1$i" "$back_mtu"
    ip -n "$(ns "rs$i")" addr add "$(rs_ip "$i")/24" dev eth0
    ip -n "$(ns "rs$i")" route add default via 172.16.0.1
  done
}

# dir_route ARGS...: one more route in the director's kernel (it lands in [replay] too).
dir_route() { ip -n "$(ns director)" route add "$@"; }

# topo_split N_RS [BACK_MTU]: DR and TUN. The real servers sit on both networks: the director
# reaches them on the back one (DR: same L2 segment; TUN: tunnel endpoints), they answer the
# client directly on the front one.
#   client 10.0.0.2 ── front switch ─┬─ eth0 10.0.0.254 [director] eth1 172.16.0.1 ── back switch
#                                    └─ rs<i> eth1 10.0.0.1<i>        rs<i> eth0 172.16.0.<i+1> ─┘
#   VIP 207.175.44.110 on every real server's lo (uvs-rs up), never on the director's kernel.
topo_split() {
  local n=$1 back_mtu=${2:-} i
  TOPO_NOTE="back switch ── $n real server(s) rs<i> 172.16.0.<i+1>, which hold the VIP on lo and answer the client directly on the front network (rs<i> 10.0.0.1<i>)"
  [ -z "$back_mtu" ] || TOPO_NOTE+=", back MTU $back_mtu"
  N_RS=$n
  ns_create client
  ns_create director
  ns_create fsw
  ns_create bsw
  link client eth0 fsw f0
  link director eth0 fsw f1
  link director eth1 bsw b0
  local fports="f0 f1" bports="b0"
  for i in $(seq 1 "$n"); do
    ns_create "rs$i"
    link "rs$i" eth1 fsw "f$((i + 1))"
    link "rs$i" eth0 bsw "b$i"
    fports+=" f$((i + 1))"
    bports+=" b$i"
  done
  # shellcheck disable=SC2086
  make_switch fsw $fports
  # shellcheck disable=SC2086
  make_switch bsw $bports
  if [ -n "$back_mtu" ]; then
    for p in $bports; do ip -n "$(ns bsw)" link set "$p" mtu "$back_mtu"; done
  fi
  for r in client director fsw bsw $(for i in $(seq 1 "$n"); do echo "rs$i"; done); do quiet_ns "$r"; done
  peer_if client eth0 "$CLIENT_MAC"
  peer_if director eth0 "$DIR_MAC0"
  peer_if director eth1 "$DIR_MAC1" "$back_mtu"
  client_addresses
  ip -n "$(ns director)" addr add 10.0.0.254/24 dev eth0
  ip -n "$(ns director)" addr add 172.16.0.1/24 dev eth1
  for i in $(seq 1 "$n"); do
    peer_if "rs$i" eth0 "02:00:00:00:02:1$i" "$back_mtu"
    peer_if "rs$i" eth1 "02:00:00:00:01:1$i"
    ip -n "$(ns "rs$i")" addr add "$(rs_ip "$i")/24" dev eth0
    ip -n "$(ns "rs$i")" addr add "10.0.0.1$i/24" dev eth1
    UVS_RS_STATE="$UVS_TMP/rs$i.state" nsx "rs$i" "$UVS_RS" up --vip "$VIP" --iface eth1 >/dev/null
    # Packets from the client arrive on eth0 but its route is eth1: no reverse-path filter.
    local f
    for f in all default eth0 eth1 lo; do
      nsx "rs$i" sysctl -qw "net.ipv4.conf.$f.rp_filter=0"
    done
  done
}

# decap ROLE [GUE_PORT]: uvs-rs decapsulates the director's tunnel packets on a real server.
decap() {
  local role=$1
  bg "$role" "$UVS_TMP/decap-$role.log" "$UVS_RS" decap ${2:+--gue-port "$2"}
  wait_until 5 ip -n "$(ns "$role")" link show uvs-decap0
}

# ---------------------------------------------------------------------------------------------
# Servers and clients (corpus_traffic.py; python3 from the PATH, as the namespace tests use).

tcp_server() { bg "$1" "$UVS_TMP/tcp-$1-$2.log" python3 "$TRAFFIC" tcp-server "$2" "$3"; }
tcp_sink() { bg "$1" "$UVS_TMP/sink-$1-$2.log" python3 "$TRAFFIC" tcp-sink "$2" "$3"; }
udp_srv() { bg "$1" "$UVS_TMP/udp-$1-$2.log" python3 "$TRAFFIC" udp-server "$2" "$3" "${@:4}"; }
http_server() {  # http_server ROLE NAME: python3 -m http.server on port 80 (HTTP/1.0: it closes first)
  local dir="$UVS_TMP/www-$1"
  mkdir -p "$dir"
  echo "$2" >"$dir/index.html"
  bg "$1" "$UVS_TMP/http-$1.log" python3 -m http.server 80 --bind 0.0.0.0 --directory "$dir"
}
# wait_listening ROLE PROTO PORT: until the server's socket exists (bounded).
wait_listening() {
  local flag=-Hltn
  [ "$2" = udp ] && flag=-Hlun
  wait_until 10 bash -c "ip netns exec $(ns "$1") ss $flag 'sport = :$3' | grep -q ."
}
traffic() { nsx client timeout 30 python3 "$TRAFFIC" "$@"; }
http_get() { nsx client curl -sS --max-time 5 "$@" 2>/dev/null | tr -d '\n'; }

# ---------------------------------------------------------------------------------------------
# A case's life: describe, topology, config, capture, checks.

CASE=""
CASE_DIR=""
CASE_DESC=""
declare -a CAPTURE_PIDS=()
declare -a CAPTURE_IFACES=()

describe() { CASE_DESC=$1; }

# config: the case's [daemon] and services on stdin (TOML, without [replay]). Written with a
# header and the generated [replay] section into pcaps/CASE/config.toml when the capture begins.
config() { cat >"$UVS_TMP/services.toml"; }

# The [replay] section: what the live daemon reads from the director's kernel.
replay_section() {
  local ifaces=$1
  ip -j -n "$(ns director)" link show >"$UVS_TMP/links.json"
  ip -j -n "$(ns director)" -4 addr show >"$UVS_TMP/addrs.json"
  ip -j -n "$(ns director)" -4 route show table main >"$UVS_TMP/routes.json"
  python3 - "$UVS_TMP" "$ifaces" <<'PY'
import json, sys
tmp, ifaces = sys.argv[1], sys.argv[2].split()
links = {l["ifname"]: l for l in json.load(open(f"{tmp}/links.json"))}
addrs = {a["ifname"]: a.get("addr_info", []) for a in json.load(open(f"{tmp}/addrs.json"))}
print("# Generated from `ip -j link/addr/route` in the director's namespace of the capture.")
print("[replay]")
for name in ifaces:
    l = links[name]
    a = ", ".join(f'"{x["local"]}/{x["prefixlen"]}"' for x in addrs.get(name, []))
    print()
    print("  [[replay.interface]]")
    print(f'  name = "{name}"')
    print(f'  mac = "{l["address"]}"')
    print(f'  mtu = {l["mtu"]}')
    print(f"  addresses = [{a}]")
for r in json.load(open(f"{tmp}/routes.json")):
    if r.get("protocol") == "kernel" or r.get("type", "unicast") != "unicast":
        continue
    print()
    print("  [[replay.route]]")
    print(f'  prefix = "{r["dst"]}"' if "/" in r["dst"] or r["dst"] == "default"
          else f'  prefix = "{r["dst"]}/32"')
    if "gateway" in r:
        print(f'  via = "{r["gateway"]}"')
    print(f'  dev = "{r["dev"]}"')
    for m in r.get("metrics", []):
        if "mtu" in m:
            print(f'  mtu = {m["mtu"]}')
    if r.get("metric"):
        print(f'  metric = {r["metric"]}')
PY
}

# begin_capture IFACE...: config.toml, tcpdump on each director interface, live uvsd.
begin_capture() {
  CAPTURE_IFACES=("$@")
  mkdir -p "$CASE_DIR"
  rm -f "$CASE_DIR"/in-*.pcap "$CASE_DIR"/expected-*.pcap
  {
    echo "# Replay case $CASE:"
    fold -s -w 96 <<<"$CASE_DESC" | sed 's/ *$//; s/^/#   /'
    echo "#"
    echo "# Written by tests/replay/capture_case.sh $CASE; the live uvsd of the capture ran this file"
    echo "# (with a decision trace added)."
    fold -s -w 96 <<<"Client 10.0.0.2 (also 10.0.0.1, .3, .4, 192.168.1.10, 1.2.3.4) ── eth0 10.0.0.254 [director] eth1 172.16.0.1 ── $TOPO_NOTE. VIP $VIP." |
      sed 's/ *$//; s/^/# /'
    echo
    cat "$UVS_TMP/services.toml"
    echo
    replay_section "$*"
  } >"$CASE_DIR/config.toml"
  local ifc
  CAPTURE_PIDS=()
  for ifc in "$@"; do
    bg director "$UVS_TMP/tcpdump-$ifc.log" tcpdump -i "$ifc" -Q in -s 0 -U -n --immediate-mode \
      -w "$UVS_TMP/in-$ifc.pcap"
    CAPTURE_PIDS+=("$LAST_PID")
    wait_until 10 grep -q "listening on" "$UVS_TMP/tcpdump-$ifc.log" ||
      { fail "$CASE: tcpdump on $ifc did not start"; return 1; }
  done
  # The live daemon runs the case's config plus a decision trace, compared with the replay's.
  sed "s|^\[daemon\]$|[daemon]\ntrace = \"$UVS_TMP/live-trace.jsonl\"\ntrace_packets = 100000|" \
    "$CASE_DIR/config.toml" >"$UVS_TMP/live.toml"
  rm -f "$UVS_TMP/live-trace.jsonl"
  start_uvsd "$UVS_TMP/live.toml" || { fail "$CASE: uvsd did not start"; return 1; }
}

# end_capture: stop tcpdump, then uvsd; store the inputs; make the expected outputs; trace.
end_capture() {
  sleep 0.5  # the last answers are on the wire
  local pid ifc
  for pid in "${CAPTURE_PIDS[@]}"; do kill -INT "$pid" 2>/dev/null; done
  for pid in "${CAPTURE_PIDS[@]}"; do
    wait_until 5 bash -c "! kill -0 $pid 2>/dev/null"
  done
  uvsadm --counters >"$UVS_TMP/live-counters.txt" 2>&1
  stop_uvsd
  for ifc in "${CAPTURE_IFACES[@]}"; do
    cp "$UVS_TMP/in-$ifc.pcap" "$CASE_DIR/in-$ifc.pcap"
  done
  if ! UVS_BUILD=$UVS_BUILD "$HERE/make_case.sh" --captured "$CASE" "$CASE_DIR" "$CASE_DESC" \
    >"$UVS_TMP/make_case.log" 2>&1; then
    cat "$UVS_TMP/make_case.log"
    fail "$CASE: make_case.sh failed"
    return 1
  fi
  sed 's/^/    /' "$UVS_TMP/make_case.log"
  local ins=()
  for ifc in "${CAPTURE_IFACES[@]}"; do ins+=(--in "$ifc=$CASE_DIR/in-$ifc.pcap"); done
  "$UVSD" replay --config "$CASE_DIR/config.toml" "${ins[@]}" --out-dir "$UVS_TMP/out" \
    --trace "$UVS_TMP/trace.jsonl" 2>/dev/null
  # Whatever else a case checks: uvsd never sends a wrong checksum (design.md), and the live
  # daemon of the capture decided about the captured frames as the replay did.
  expect "every frame uvsd sent carries correct checksums" checksums_ok "$UVS_TMP"/out/*.pcap
  if [ -z "$LIVE_ORDER_NOTE" ]; then
    expect "the live daemon made the same decisions about the captured frames" same_decisions
  elif same_decisions >"$UVS_TMP/decisions.txt"; then
    pass "$CASE: the live daemon made the same decisions about the captured frames"
  else
    echo "NOTE: $CASE: the live daemon decided otherwise about some frames: $LIVE_ORDER_NOTE"
    cat "$UVS_TMP/decisions.txt"
  fi
}
# live_order_sensitive "why": the case's decisions depend on the order of frames that arrive
# on two interfaces within a millisecond or so; the live daemon may take them in another order
# than the capture holds (see same_decisions), so a difference is reported, not failed.
LIVE_ORDER_NOTE=""
live_order_sensitive() { LIVE_ORDER_NOTE=$1; }
# same_decisions: the live trace's first N lines (N = the captured frames; the live daemon may
# have seen a few more after tcpdump stopped) hold the same decisions as the offline trace:
# interface, verdict, reasons, service, real server, new connection, scheduler, template. As a
# multiset: frames that reach two interfaces within the ring's block time (4 ms) are not taken
# in a defined order live, which may reorder them (and their state changes) against the capture.
same_decisions() {
  python3 - "$UVS_TMP/trace.jsonl" "$UVS_TMP/live-trace.jsonl" <<'PY'
import collections, json, sys
keys = ["interface", "verdict", "drop", "pass", "service", "real", "new_connection",
        "scheduler", "template"]
def decisions(path, n=None):
    lines = open(path).read().splitlines()[:n]
    return collections.Counter(tuple(str(json.loads(l)[k]) for k in keys) for l in lines)
offline = decisions(sys.argv[1])
live = decisions(sys.argv[2], sum(offline.values()))
for d in (offline - live):
    print("  only offline:", offline[d] - live[d], "x", " ".join(d))
for d in (live - offline):
    print("  only live:", live[d] - offline[d], "x", " ".join(d))
sys.exit(0 if offline == live else 1)
PY
}

# ---------------------------------------------------------------------------------------------
# Checks on the offline decision trace of the case (what the expected outputs were made from).

expect() {  # expect "what" command...
  local what=$1
  shift
  if "$@"; then
    pass "$CASE: $what"
  else
    fail "$CASE: $what"
  fi
}
# is WHAT GOT WANT: a check that prints both sides.
is() {
  if [ "$2" = "$3" ]; then
    pass "$CASE: $1 ($2)"
  else
    fail "$CASE: $1: got \"$2\", want \"$3\""
  fi
}
# scheduled [SERVICE]: the real server of every new connection (a scheduling decision or a
# persistence template's choice) in order, as rs<i> for 172.16.0.<i+1> ("none" when nothing could
# be chosen); SERVICE as the trace names it ("TCP 207.175.44.110:80", "FWM 1").
scheduled() {
  python3 - "$UVS_TMP/trace.jsonl" "${1:-}" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1]):
    d = json.loads(line)
    if sys.argv[2] and d["service"] != sys.argv[2]:
        continue
    if not d["new_connection"] and not (d["scheduler"] and d["real"] is None):
        continue
    real = (d["real"] or "none").split(":")[0]
    if real.startswith("172.16.0."):
        real = "rs%d" % (int(real.split(".")[3]) - 1)
    out.append(real)
print(" ".join(out))
PY
}
# templates: the "template" field of every new connection, in order (created/used/null).
templates() {
  python3 - "$UVS_TMP/trace.jsonl" <<'PY'
import json, sys
print(" ".join(str(json.loads(l)["template"]).lower() for l in open(sys.argv[1])
               if json.loads(l)["new_connection"]))
PY
}
# hash_bucket ADDR [PORT]: IPVS's sh/dh bucket, hash_32(addr32 + port, 8) (reference §2.10),
# computed here from the reference's formula, independently of uvs.
hash_bucket() {
  python3 -c "import socket, struct, sys
x = (struct.unpack('!I', socket.inet_aton(sys.argv[1]))[0] + int(sys.argv[2])) & 0xffffffff
print(((x * 0x61C88647) & 0xffffffff) >> 24)" "$1" "${2:-0}"
}
# count FIELD VALUE: trace lines whose FIELD is VALUE ("null" for null).
count() {
  python3 - "$UVS_TMP/trace.jsonl" "$1" "$2" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    v = json.loads(line)[sys.argv[2]]
    n += (("null" if v is None else str(v).lower()) == sys.argv[3].lower())
print(n)
PY
}
# states: "before>after" of every frame that touched a connection (not a template), in order.
states() {
  python3 - "$UVS_TMP/trace.jsonl" "${1:-}" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["state_after"] is None or (sys.argv[2] and d["interface"] != sys.argv[2]):
        continue
    out.append(f'{d["state_before"] or "-"}>{d["state_after"]}')
print(" ".join(out))
PY
}
# out_frames IFACE [tcpdump filter]: frames uvsd sent on IFACE in the offline replay.
out_frames() {
  local f="$UVS_TMP/out/$1.pcap"
  shift
  tcpdump -r "$f" -n "$@" 2>/dev/null | wc -l
}
# out_text IFACE [filter]: tcpdump -v text of what uvsd sent on IFACE.
out_text() {
  local f="$UVS_TMP/out/$1.pcap"
  shift
  tcpdump -r "$f" -n -v -e "$@" 2>/dev/null
}
# checksums_ok PCAP...: every IPv4 header, ICMP message, TCP segment and UDP datagram (not
# fragments) in the frames, and inside IPIP/GUE/GRE, carries a correct checksum (UDP 0 only as
# the outer header of GUE without checksum); GRE checksums too. Prints the bad ones.
checksums_ok() {
  python3 - "$@" <<'PY'
import struct, sys

def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack(f"!{len(b)//2}H", b))
    while t >> 16:
        t = (t & 0xFFFF) + (t >> 16)
    return t

def check_ip(b, where, bad):
    if len(b) < 20 or b[0] >> 4 != 4:
        return
    ihl = (b[0] & 15) * 4
    total = struct.unpack("!H", b[2:4])[0]
    b = b[:total]
    if csum(b[:ihl]) != 0xFFFF:
        bad.append(f"{where}: IPv4 header checksum")
    proto = b[9]
    frag = struct.unpack("!H", b[6:8])[0] & 0x3FFF
    if frag:
        return
    l4 = b[ihl:]
    pseudo = b[12:20] + struct.pack("!BBH", 0, proto, len(l4))
    if proto == 6 and csum(pseudo + l4) != 0xFFFF:
        bad.append(f"{where}: TCP checksum")
    elif proto == 17 and len(l4) >= 8:
        if struct.unpack("!H", l4[6:8])[0] == 0:
            if struct.unpack("!H", l4[2:4])[0] not in (6080,):
                bad.append(f"{where}: UDP checksum 0")
        elif csum(pseudo + l4) != 0xFFFF:
            bad.append(f"{where}: UDP checksum")
        if struct.unpack("!H", l4[2:4])[0] == 6080 and len(l4) >= 12:
            check_ip(l4[12:], where + " (GUE inner)", bad)
    elif proto == 1 and csum(l4) != 0xFFFF:
        bad.append(f"{where}: ICMP checksum")
    elif proto == 4:
        check_ip(l4, where + " (IPIP inner)", bad)
    elif proto == 47 and len(l4) >= 4:
        flags = struct.unpack("!H", l4[:2])[0]
        if flags & 0x8000:
            if csum(l4) != 0xFFFF:
                bad.append(f"{where}: GRE checksum")
            check_ip(l4[8:], where + " (GRE inner)", bad)
        else:
            check_ip(l4[4:], where + " (GRE inner)", bad)

bad = []
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, n = 24, 0
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        n += 1
        if len(frame) >= 14 and frame[12:14] == b"\x08\x00":
            check_ip(frame[14:], f"{path.rsplit('/', 1)[-1]} frame {n}", bad)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
}
# live_drop REASON: the live daemon's counter for a drop reason during the capture.
live_counter() { awk -v k="$1:" '$1 == k {print $2; exit}' "$UVS_TMP/live-counters.txt"; }
# trace_drop REASON: frames the offline trace dropped for REASON.
trace_drop() { count drop "$1"; }

# ---------------------------------------------------------------------------------------------

# shellcheck source=corpus_cases.sh
source "$HERE/corpus_cases.sh"

run_case() {
  CASE=$1
  CASE_DIR="$PCAPS/$CASE"
  CASE_DESC=""
  LIVE_ORDER_NOTE=""
  local fn="case_${CASE//-/_}"
  if ! declare -F "$fn" >/dev/null; then
    fail "no case $CASE (capture_case.sh --list)"
    return
  fi
  echo "=== $CASE"
  uvs_cleanup_namespaces
  rm -rf "$UVS_TMP/out" "$UVS_TMP/trace.jsonl"
  "$fn"
  uvs_cleanup_namespaces
}

if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${CORPUS_CASES[@]}"
  exit 0
fi
require_root
require_cmds tcpdump ethtool curl python3
for tool in "$UVSD" "$UVSADM" "$UVS_RS"; do
  [ -x "$tool" ] || { echo "capture_case: $tool is not built" >&2; exit 1; }
done
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=("${CORPUS_CASES[@]}")
for c in "${cases[@]}"; do
  run_case "$c"
done
finish
