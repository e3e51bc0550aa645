#!/usr/bin/env bash
# replay_live_equals_offline_test.sh — a corpus capture replayed into a LIVE uvsd with tcpreplay
# gives the same frames as `uvsd replay` of the same capture (issue 6, item 5).
#
# For each case (NAT TCP: pcaps/nat-http-rr, DR: pcaps/dr-http-udp, a tunnel:
# pcaps/tun-gre-csum), the director's namespace is rebuilt from the case's [replay] section
# (interfaces with their MACs and MTUs, addresses, routes): each interface is one end of a veth
# pair whose other end is in a "peer" namespace. The case's inputs are merged by timestamp
# (ties: eth0 first, as the golden test orders --in) into one sequence of frames; tcpreplay
# sends each frame from the peer end of the interface it was captured on, so it arrives at the
# live uvsd (started with the case's own config.toml and a live decision trace) where and in the
# order it arrived in the capture (one frame at a time, see send_in_order). tcpdump -Q out on the
# director's interfaces records what is sent; the director kernel's own ARP answers for its
# addresses (the captures hold the peers' requests for them, and uvsd never answers those) are
# filtered out.
# Checks, per case:
#   - per interface, the live frames equal `uvsd replay`'s output frame for frame, bytes and
#     order (pcap_diff --ignore-time: only the clock differs);
#   - the live decision trace equals the offline one line for line, timestamps aside (verdict,
#     drop/pass reason, service, real server, states, scheduler, template).
# Needs root (namespaces), tcpdump, python3 (3.11: tomllib) and tcpreplay: the Debian
# package tcpreplay is installed when missing; the test skips (77) with a message when that is
# impossible. Namespaces, processes and files are removed on every exit (lib.sh); waits are
# bounded.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds tcpdump python3

PCAP_DIFF=${PCAP_DIFF:-$UVS_BUILD/tests/replay/pcap_diff}
CASES=(nat-http-rr dr-http-udp tun-gre-csum)

if ! command -v tcpreplay >/dev/null; then
  echo "tcpreplay is missing: installing the Debian package"
  if ! DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q tcpreplay \
    >"$UVS_TMP/apt.log" 2>&1; then
    tail -3 "$UVS_TMP/apt.log"
    echo "SKIP: tcpreplay is not installed and apt-get could not install it"
    exit 77
  fi
fi
require_cmds tcpreplay
for tool in "$UVSD" "$PCAP_DIFF"; do
  [ -x "$tool" ] || { echo "FAIL: $tool is not built"; exit 1; }
done

# net_commands CONFIG: the `ip` commands that give the director's namespace what [replay]
# describes, one per line: "link IFACE MAC MTU", "addr IFACE CIDR", "route ARGS...".
net_commands() {
  python3 - "$1" <<'PY'
import sys, tomllib
replay = tomllib.load(open(sys.argv[1], "rb"))["replay"]
for i in replay["interface"]:
    print("link", i["name"], i["mac"], i.get("mtu", 1500))
    for a in i.get("addresses", []):
        print("addr", i["name"], a if "/" in a else a + "/32")
for r in replay.get("route", []):
    args = [r["prefix"]]
    if "via" in r:
        args += ["via", r["via"]]
    if "dev" in r:
        args += ["dev", r["dev"]]
    if "mtu" in r:
        args += ["mtu", "lock", str(r["mtu"])]
    if "metric" in r:
        args += ["metric", str(r["metric"])]
    print("route", *args)
PY
}

# merge OUT DIR IN...: one capture of all inputs, stable by timestamp (pcap, microseconds, as
# tcpdump wrote them), in OUT; and each frame alone in DIR/NNNN-K.pcap, in that order, K the
# index of the input it came from.
merge() {
  python3 - "$@" <<'PY'
import os, struct, sys
out, frames_dir, ins = sys.argv[1], sys.argv[2], sys.argv[3:]
records = []
for n, path in enumerate(ins):
    data = open(path, "rb").read()
    magic = data[:4]
    end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, length = struct.unpack_from(end + "IIII", data, off)
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        ns = sec * 10**9 + (frac if nano else frac * 1000)
        records.append((ns, n, len(records), frame, length))
records.sort(key=lambda r: (r[0], r[1], r[2]))
header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
def record(ns, frame, length):
    return struct.pack("<IIII", ns // 10**9, (ns % 10**9) // 1000, len(frame), length) + frame
os.makedirs(frames_dir, exist_ok=True)
with open(out, "wb") as f:
    f.write(header)
    for i, (ns, n, _, frame, length) in enumerate(records):
        f.write(record(ns, frame, length))
        with open(os.path.join(frames_dir, f"{i:04d}-{n}.pcap"), "wb") as one:
            one.write(header + record(ns, frame, length))
PY
}

# received: the frames the live uvsd has read from its interfaces so far.
received() { uvsadm --counters | awk '$1 == "received:" {print $2}'; }

# send_in_order FRAMES_DIR PEER...: tcpreplay each frame from the peer end of its input's
# interface, and the next one only once uvsd has read it. A live worker reads its ports one after
# the other, in blocks, so frames that arrive on two interfaces close together have no defined
# order live, while the capture, and the offline replay, have one; waiting makes it the
# capture's. The chosen cases have no timer inside them (no expiry, ARP retry or timeout), so
# the capture's own pace is not needed to make the same decisions.
send_in_order() {
  local dir=$1 n f k
  shift
  n=$(received)
  local peers=("$@")
  for f in "$dir"/*.pcap; do
    k=${f##*-}
    k=${k%.pcap}
    nsx peer timeout 10 tcpreplay -q -i "${peers[$k]}" "$f" >>"$dir/tcpreplay.log" 2>&1 ||
      { echo "tcpreplay failed on $f: $(tail -3 "$dir/tcpreplay.log")"; return 1; }
    n=$((n + 1))
    wait_until 5 test_received_at_least "$n" ||
      { echo "uvsd did not read frame $n ($f) within 5 s"; return 1; }
  done
}
test_received_at_least() { [ "$(received)" -ge "$1" ]; }

# trace_fields TRACE: the trace without its clock, one line per frame.
trace_fields() {
  python3 - "$1" <<'PY'
import json, sys
keys = ["interface", "verdict", "drop", "pass", "service", "real", "state_before",
        "state_after", "new_connection", "scheduler", "template"]
for line in open(sys.argv[1]):
    d = json.loads(line)
    print(" ".join(str(d[k]) for k in keys))
PY
}

live_case() {
  local name=$1 dir="$UVS_ROOT/pcaps/$1"
  local work="$UVS_TMP/$name"
  mkdir -p "$work"
  echo "=== $name"
  ns_create director
  ns_create peer
  local r
  for r in director peer; do
    nsx "$r" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done

  # The director's network, from [replay]; peer ends p0, p1, ... in interface order.
  local ifaces=() peers=() dips=() kind a b c idx=0
  while read -r kind a b c; do
    case $kind in
      link)
        link director "$a" peer "p$idx"
        ip -n "$(ns director)" link set "$a" address "$b" mtu "$c"
        ip -n "$(ns peer)" link set "p$idx" mtu "$c"
        nsx director ethtool -K "$a" gro off >/dev/null 2>&1 || true
        ifaces+=("$a")
        peers+=("p$idx")
        idx=$((idx + 1))
        ;;
      addr)
        ip -n "$(ns director)" addr add "$b" dev "$a"
        dips+=("${b%/*}")
        ;;
      route) ip -n "$(ns director)" route add $a $b $c ;;
    esac
  done < <(net_commands "$dir/config.toml")
  if [ ${#ifaces[@]} -ne 2 ]; then
    fail "$name: expected two interfaces in [replay], found ${#ifaces[@]}"
    return
  fi

  # The inputs, merged, and one file per frame for tcpreplay.
  local frames
  if ! merge "$work/merged.pcap" "$work/frames" "$dir/in-${ifaces[0]}.pcap" \
    "$dir/in-${ifaces[1]}.pcap"; then
    fail "$name: cannot merge the inputs"
    return
  fi
  frames=$(tcpdump -r "$work/merged.pcap" -n 2>/dev/null | wc -l)

  # The offline replay of the same inputs, with its trace.
  "$UVSD" replay --config "$dir/config.toml" --in "${ifaces[0]}=$dir/in-${ifaces[0]}.pcap" \
    --in "${ifaces[1]}=$dir/in-${ifaces[1]}.pcap" --out-dir "$work/offline" \
    --trace "$work/offline.jsonl" 2>"$work/offline.log" ||
    { fail "$name: uvsd replay failed: $(cat "$work/offline.log")"; return; }

  # The live daemon: the case's config with a decision trace of exactly the input's frames, and
  # no ARP probes of the VIPs (a live timer the offline replay has no counterpart for).
  sed "s|^\[daemon\]$|[daemon]\ntrace = \"$work/live.jsonl\"\ntrace_packets = $frames\nvip_probe_interval = 0|" \
    "$dir/config.toml" >"$work/live.toml"
  local i pids=()
  for i in 0 1; do
    bg director "$work/tcpdump-${ifaces[$i]}.log" tcpdump -i "${ifaces[$i]}" -Q out -s 0 -U -n \
      --immediate-mode -w "$work/live-${ifaces[$i]}.pcap"
    pids+=("$LAST_PID")
    wait_until 10 grep -q "listening on" "$work/tcpdump-${ifaces[$i]}.log" ||
      { fail "$name: tcpdump on ${ifaces[$i]} did not start"; return; }
  done
  start_uvsd "$work/live.toml" || { fail "$name: uvsd did not start"; return; }
  local why
  if ! why=$(send_in_order "$work/frames" "${peers[@]}"); then
    fail "$name: $why"
    return
  fi
  check "$name: the live daemon traced all $frames frames" \
    wait_until 10 grep -q "decision trace complete: $frames frame(s)" "$UVS_TMP/uvsd.log"
  sleep 0.5
  for i in 0 1; do kill -INT "${pids[$i]}" 2>/dev/null; done
  for i in 0 1; do wait_until 5 bash -c "! kill -0 ${pids[$i]} 2>/dev/null"; done
  stop_uvsd

  # What the director's kernel itself sent: ARP answers about its own addresses.
  local kernel_arp="" d
  for d in "${dips[@]}"; do
    kernel_arp+="${kernel_arp:+ or }arp[14:4] = 0x$(printf '%02x' ${d//./ })"
  done
  for i in 0 1; do
    local ifc=${ifaces[$i]}
    tcpdump -r "$work/live-$ifc.pcap" -w "$work/uvsd-$ifc.pcap" \
      "not (arp and arp[6:2] = 2 and ($kernel_arp))" 2>/dev/null
    echo "$ifc: $(tcpdump -r "$work/offline/$ifc.pcap" -n 2>/dev/null | wc -l) frames offline," \
      "$(tcpdump -r "$work/uvsd-$ifc.pcap" -n 2>/dev/null | wc -l) live" \
      "($(tcpdump -r "$work/live-$ifc.pcap" -n 2>/dev/null | wc -l) before the kernel's ARP answers were taken out)"
    if "$PCAP_DIFF" --ignore-time "$work/offline/$ifc.pcap" "$work/uvsd-$ifc.pcap" \
      >"$work/diff-$ifc.txt" 2>&1; then
      pass "$name: $ifc: live frames equal the offline replay's (bytes and order)"
    else
      fail "$name: $ifc: live frames differ from the offline replay's:"
      sed 's/^/    /' "$work/diff-$ifc.txt"
    fi
  done
  trace_fields "$work/offline.jsonl" >"$work/offline.txt"
  trace_fields "$work/live.jsonl" >"$work/live.txt"
  if diff "$work/offline.txt" "$work/live.txt" >"$work/trace.diff"; then
    pass "$name: the live decision trace equals the offline one ($(wc -l <"$work/live.txt") lines)"
  else
    fail "$name: the live decision trace differs from the offline one:"
    head -20 "$work/trace.diff" | sed 's/^/    /'
  fi
}

for c in "${CASES[@]}"; do
  uvs_cleanup_namespaces
  live_case "$c"
done
uvs_cleanup_namespaces
finish
