#!/usr/bin/env bash
# uvs_rs_test.sh — uvs-rs against a real kernel, in network namespaces of its own.
#
# What it proves:
#   1. `uvs-rs up` in a namespace with a veth sets arp_ignore=1, arp_announce=2, rp_filter=0 on
#      all, lo and the interface of the default route and puts the VIP on lo as /32; `check`
#      then passes; a second `up` keeps the recorded originals; `down` restores the exact
#      previous values and removes only the address it added; `down` without state fails.
#      `check` on an unprepared namespace fails and names each problem; `up` refuses to touch
#      a host whose VIP sits on another interface.
#   2. `uvs-rs decap` on a real server B (VIP 10.10.10.10 on lo via `uvs-rs up`): sender A
#      sends IPIP, GUE (udp/6080), GRE and GRE-with-checksum packets to B carrying a UDP
#      datagram and a TCP SYN for 10.10.10.10:9999. The listener in B receives the UDP payloads;
#      B's replies (UDP and SYN-ACK) leave B directly toward A, unencapsulated, from B's own MAC
#      (tcpdump -c in A). Without decap B's kernel answers IPIP/GRE with ICMP protocol
#      unreachable (it has no ipip/gre module); with decap running it does not, because a raw
#      socket took the packets. Bad GRE checksums and bad GUE versions are dropped and counted
#      (SIGUSR1 summary). An inner packet not addressed to B is not forwarded even with
#      ip_forward=1. SIGTERM stops decap and its TUN device disappears.
#
# Usage (as root): tests/netns/uvs_rs_test.sh
#   UVS_RS  path of the uvs-rs binary (default: build/uvs-rs under the repository root)
# Prints PASS/FAIL per check; exits 0 when everything passed, 1 otherwise, 77 (ctest's
# skip code) when it cannot run here (not root, a tool missing). Every namespace, background
# process and temporary file it creates is removed on exit, whatever happens; every wait is
# bounded.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
UVS_RS=${UVS_RS:-$repo_root/build/uvs-rs}
VIP=10.10.10.10
GUE_PORT=6080
SKIP=77  # ctest SKIP_RETURN_CODE

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: uvs_rs_test.sh needs root (network namespaces, raw sockets, TUN)"
  exit "$SKIP"
fi
for tool in ip python3 tcpdump timeout; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed"
    exit "$SKIP"
  fi
done
if [[ ! -x $UVS_RS ]]; then
  echo "FAIL: UVS_RS=$UVS_RS is not an executable; build it (cmake --build BUILD --target uvs-rs)" \
    "and/or point UVS_RS at it"
  exit 1
fi

tag="uvsrs-$$"
tmp=$(mktemp -d /tmp/uvs-rs-test.XXXXXX)
namespaces=()
bg_pids=()
checks=0
failures=0

# True once process $1 has ended (a child that ended stays a zombie until it is waited for).
exited() {
  [[ ! -e /proc/$1/stat ]] || [[ $(sed -E 's/.*\) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) == Z ]]
}

cleanup() {
  local rc=$?
  local pid ns
  for pid in "${bg_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${bg_pids[@]}"; do
    if ! wait_until 5 exited "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
  for ns in "${namespaces[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT

pass() {
  checks=$((checks + 1))
  echo "PASS: $*"
}
fail() {
  checks=$((checks + 1))
  failures=$((failures + 1))
  echo "FAIL: $*"
}
# expect DESCRIPTION COMMAND...: PASS if the command succeeds.
expect() {
  local desc=$1
  shift
  if "$@"; then pass "$desc"; else fail "$desc"; fi
}
section() { echo "== $*"; }

# wait_until SECONDS COMMAND...: polls every 0.1 s; false when the time is up.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    if ((SECONDS >= deadline)); then return 1; fi
    sleep 0.1
  done
}

# Forget a background pid once it has been reaped, so cleanup never signals a reused pid.
forget_pid() {
  local keep=() p
  for p in "${bg_pids[@]}"; do
    if [[ $p != "$1" ]]; then keep+=("$p"); fi
  done
  bg_pids=("${keep[@]}")
}

make_ns() {
  ip netns add "$1"
  namespaces+=("$1")
  ip -n "$1" link set lo up
}

conf() { ip netns exec "$1" cat "/proc/sys/net/ipv4/conf/$2"; }
set_conf() { ip netns exec "$1" sh -c "echo $3 > /proc/sys/net/ipv4/conf/$2"; }
on_lo() { ip -n "$1" -4 -o addr show dev lo | grep -q "inet $2 scope global lo"; }
grep_q() { grep -q -- "$1" "$2"; }
not() { ! "$@"; }

# Starts `ip netns exec NS timeout SECS tcpdump ... -w FILE FILTER` in the background, waits
# until it listens, and leaves its pid in $capture_pid.
start_capture() {
  local ns=$1 file=$2 secs=$3
  shift 3
  ip netns exec "$ns" timeout "$secs" tcpdump -i a0 -n -U -w "$file" "$@" 2>"$file.err" &
  capture_pid=$!
  bg_pids+=("$capture_pid")
  if ! wait_until 10 grep_q "listening on" "$file.err"; then
    echo "tcpdump did not start: $(cat "$file.err")"
    return 1
  fi
}
# Waits (bounded by the capture's own timeout) for a capture to end.
finish_capture() {
  wait "$1" || true
  forget_pid "$1"
}
count_packets() { tcpdump -r "$1" -n "${@:2}" 2>/dev/null | wc -l; }

# ---------------------------------------------------------------------------------------------
# Helpers written in Python (no scapy): a tunnel sender and a UDP/TCP listener for the VIP.

cat >"$tmp/send_tunnel.py" <<'EOF'
"""send_tunnel.py OUTER_DST INNER_SRC INNER_DST GUE_PORT SPEC...

Each SPEC is MODE:L4:SPORT:PAYLOAD. MODE is ipip, gre, gre-csum, gre-badcsum, gue or
gue-badversion; L4 is udp (a datagram carrying PAYLOAD) or syn (a TCP SYN). The inner packet
goes to INNER_DST:9999. The kernel builds the outer IPv4 header (raw sockets of protocol 4 and
47, a UDP socket for GUE)."""
import socket
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4(src, dst, proto, payload):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + payload


def pseudo(src, dst, proto, length):
    return socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, proto, length)


def udp(src, dst, sport, dport, data):
    seg = struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data
    c = csum(pseudo(src, dst, 17, len(seg)) + seg) or 0xffff
    return seg[:6] + struct.pack('!H', c) + seg[8:]


def syn(src, dst, sport, dport):
    seg = struct.pack('!HHIIBBHHH', sport, dport, 1000, 0, 5 << 4, 0x02, 64240, 0, 0)
    c = csum(pseudo(src, dst, 6, len(seg)) + seg)
    return seg[:16] + struct.pack('!H', c) + seg[18:]


def main():
    outer_dst, isrc, idst, gue_port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    ipip_sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, 4)
    gre_sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    gue_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for spec in sys.argv[5:]:
        mode, l4, sport, payload = spec.split(':', 3)
        sport = int(sport)
        if l4 == 'udp':
            inner = ipv4(isrc, idst, 17, udp(isrc, idst, sport, 9999, payload.encode()))
        else:
            inner = ipv4(isrc, idst, 6, syn(isrc, idst, sport, 9999))
        if mode == 'ipip':
            ipip_sock.sendto(inner, (outer_dst, 0))
        elif mode == 'gre':
            gre_sock.sendto(b'\x00\x00\x08\x00' + inner, (outer_dst, 0))
        elif mode in ('gre-csum', 'gre-badcsum'):
            body = b'\x80\x00\x08\x00\x00\x00\x00\x00' + inner
            c = csum(body)
            if mode == 'gre-badcsum':
                c ^= 0x5a5a
            gre_sock.sendto(body[:4] + struct.pack('!H', c) + body[6:], (outer_dst, 0))
        elif mode == 'gue':
            gue_sock.sendto(b'\x00\x04\x00\x00' + inner, (outer_dst, gue_port))
        elif mode == 'gue-badversion':
            gue_sock.sendto(b'\x40\x04\x00\x00' + inner, (outer_dst, gue_port))
        else:
            sys.exit('unknown mode ' + mode)


main()
EOF

cat >"$tmp/vip_server.py" <<'EOF'
"""vip_server.py ADDR PORT OUT_FILE LIFETIME_SECONDS

Listens on ADDR:PORT for UDP and TCP. Each UDP payload is appended to OUT_FILE (one per line)
and answered with "echo:" + payload; TCP connections are only listened for (the kernel answers
SYNs with SYN-ACK). Creates OUT_FILE.ready when listening; exits after LIFETIME_SECONDS."""
import select
import socket
import sys
import time

addr, port, out, life = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((addr, port))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((addr, port))
t.listen(16)
open(out, 'wb').close()
open(out + '.ready', 'w').close()
end = time.time() + life
while time.time() < end:
    readable, _, _ = select.select([u, t], [], [], 0.2)
    for s in readable:
        if s is u:
            data, peer = u.recvfrom(65535)
            with open(out, 'ab') as f:
                f.write(data + b'\n')
            u.sendto(b'echo:' + data, peer)
        else:
            c, _ = t.accept()
            c.close()
EOF

# ---------------------------------------------------------------------------------------------
section "usage"

rc=0
"$UVS_RS" --help >"$tmp/help.out" 2>&1 || rc=$?
expect "uvs-rs --help exits 0 and lists the commands" \
  test "$rc" -eq 0 -a -n "$(grep -l 'decap  \[--gue-port P\]' "$tmp/help.out")"
rc=0
"$UVS_RS" decap --help >"$tmp/help.out" 2>&1 || rc=$?
expect "uvs-rs decap --help exits 0 with its usage" test "$rc" -eq 0 -a \
  "$(head -1 "$tmp/help.out")" = "usage: uvs-rs decap [--gue-port P] [--dev NAME]"
rc=0
"$UVS_RS" frobnicate >"$tmp/usage.out" 2>&1 || rc=$?
expect "an unknown command exits 2 and is named" \
  test "$rc" -eq 2 -a -n "$(grep -l "unknown command 'frobnicate'" "$tmp/usage.out")"
rc=0
"$UVS_RS" up --vip "$VIP" --bogus x >"$tmp/usage.out" 2>&1 || rc=$?
expect "an unknown option exits 2 and is named" \
  test "$rc" -eq 2 -a -n "$(grep -l "unknown option '--bogus' for 'up'" "$tmp/usage.out")"

# ---------------------------------------------------------------------------------------------
section "1. up / check / down"

NS_R="$tag-r"
NS_P="$tag-p"
make_ns "$NS_R"
make_ns "$NS_P"
ip link add r0 netns "$NS_R" type veth peer name p0 netns "$NS_P"
ip -n "$NS_R" addr add 172.16.0.2/24 dev r0
ip -n "$NS_R" link set r0 up
ip -n "$NS_P" addr add 172.16.0.1/24 dev p0
ip -n "$NS_P" link set p0 up
ip -n "$NS_R" route add default via 172.16.0.1 dev r0

# Distinctive originals, every one different from what `up` sets, so a restore to "defaults"
# or to the wrong key cannot pass.
keys=(all/arp_ignore lo/arp_ignore r0/arp_ignore all/arp_announce lo/arp_announce
  r0/arp_announce all/rp_filter lo/rp_filter r0/rp_filter)
declare -A original=([all/arp_ignore]=0 [lo/arp_ignore]=3 [r0/arp_ignore]=2
  [all/arp_announce]=1 [lo/arp_announce]=0 [r0/arp_announce]=1
  [all/rp_filter]=2 [lo/rp_filter]=1 [r0/rp_filter]=1)
declare -A wanted=([arp_ignore]=1 [arp_announce]=2 [rp_filter]=0)
for k in "${keys[@]}"; do set_conf "$NS_R" "$k" "${original[$k]}"; done
# An address that was on lo before uvs-rs: `down` must leave it there.
ip -n "$NS_R" addr add 10.10.10.20/32 dev lo

state_r="$tmp/r/uvs-rs.state"
run_r() { ip netns exec "$NS_R" env UVS_RS_STATE="$state_r" "$UVS_RS" "$@"; }

rc=0
run_r up --vip "$VIP,10.10.10.20" >"$tmp/up1.out" 2>&1 || rc=$?
expect "up (no --iface: default route's r0) exits 0" test "$rc" -eq 0
expect "up names the interface it chose" grep_q "done on r0" "$tmp/up1.out"
all_set=true
for k in "${keys[@]}"; do
  v=$(conf "$NS_R" "$k")
  if [[ $v != "${wanted[${k#*/}]}" ]]; then
    echo "  $k is $v after up, expected ${wanted[${k#*/}]}"
    all_set=false
  fi
done
expect "up set arp_ignore=1, arp_announce=2, rp_filter=0 on all, lo and r0" $all_set
expect "up put $VIP on lo as /32 scope global" on_lo "$NS_R" "$VIP/32"
expect "the state file (from UVS_RS_STATE) records all nine originals and only $VIP" \
  test "$(grep -c '^sysctl ' "$state_r" 2>/dev/null)" -eq 9 -a \
  "$(grep '^address ' "$state_r" 2>/dev/null)" = "address lo $VIP/32"

rc=0
run_r check --vip "$VIP,10.10.10.20" >"$tmp/check1.out" 2>&1 || rc=$?
expect "check passes after up (exit 0, one OK line)" \
  test "$rc" -eq 0 -a "$(wc -l <"$tmp/check1.out")" -eq 1 -a \
  -n "$(grep -l '^uvs-rs check: OK: ' "$tmp/check1.out")"

cp "$state_r" "$tmp/state_after_first_up"
rc=0
run_r up --vip "$VIP,10.10.10.20" >"$tmp/up2.out" 2>&1 || rc=$?
expect "a second up exits 0 and keeps the recorded originals (state file unchanged)" \
  test "$rc" -eq 0 -a -z "$(cmp "$state_r" "$tmp/state_after_first_up" 2>&1)"

rc=0
run_r down >"$tmp/down.out" 2>&1 || rc=$?
expect "down exits 0" test "$rc" -eq 0
all_restored=true
for k in "${keys[@]}"; do
  v=$(conf "$NS_R" "$k")
  if [[ $v != "${original[$k]}" ]]; then
    echo "  $k is $v after down, expected the original ${original[$k]}"
    all_restored=false
  fi
done
expect "down restored the exact previous value of all nine sysctls" $all_restored
expect "down removed $VIP from lo" not on_lo "$NS_R" "$VIP/32"
expect "down left 10.10.10.20, which uvs-rs did not add, on lo" on_lo "$NS_R" "10.10.10.20/32"
expect "down removed the state file" test ! -e "$state_r"

rc=0
run_r down >"$tmp/down2.out" 2>&1 || rc=$?
expect "down without state fails and says so" \
  test "$rc" -ne 0 -a -n "$(grep -l "no state file at $state_r" "$tmp/down2.out")"

# An unprepared real server: nothing on lo, VIP on the interface, strict rp_filter.
NS_U="$tag-u"
make_ns "$NS_U"
ip link add u0 netns "$NS_U" type veth peer name q0 netns "$NS_P"
ip -n "$NS_U" addr add 172.17.0.2/24 dev u0
ip -n "$NS_U" addr add "$VIP/24" dev u0
ip -n "$NS_U" link set u0 up
ip -n "$NS_P" addr add 172.17.0.1/24 dev q0
ip -n "$NS_P" link set q0 up
ip -n "$NS_U" route add default via 172.17.0.1 dev u0
for k in all/arp_ignore u0/arp_ignore all/arp_announce u0/arp_announce u0/rp_filter; do
  set_conf "$NS_U" "$k" 0
done
set_conf "$NS_U" all/rp_filter 1

rc=0
ip netns exec "$NS_U" "$UVS_RS" check --vip "$VIP" >"$tmp/check_u.out" 2>&1 || rc=$?
expect "check on an unprepared namespace exits 1" test "$rc" -eq 1
for problem in "$VIP is not on lo" "$VIP is also on u0 (as $VIP/24)" \
  "arp_ignore is effectively 0 on u0" "arp_announce is effectively 0 on u0" \
  "rp_filter is effectively 1 (strict) on u0"; do
  expect "check names the problem: $problem" grep_q "PROBLEM: $problem" "$tmp/check_u.out"
done
expect "check prints exactly five problem lines, each with a fix" \
  test "$(grep -c '^uvs-rs check: PROBLEM: .*; fix: ' "$tmp/check_u.out")" -eq 5

rc=0
ip netns exec "$NS_U" env UVS_RS_STATE="$tmp/u.state" "$UVS_RS" up --vip "$VIP" \
  >"$tmp/up_u.out" 2>&1 || rc=$?
expect "up refuses a host whose VIP is on u0, naming it" \
  test "$rc" -eq 1 -a -n "$(grep -l "$VIP is configured on u0 as $VIP/24" "$tmp/up_u.out")"
expect "the refused up changed nothing (arp_ignore still 0, no state file)" \
  test "$(conf "$NS_U" all/arp_ignore)" = 0 -a ! -e "$tmp/u.state"

if ((failures > 0)); then
  for f in up1 check1 up2 down check_u up_u; do
    echo "--- $f.out"
    cat "$tmp/$f.out" 2>/dev/null || true
  done
fi

# ---------------------------------------------------------------------------------------------
section "2. decap: IPIP, GUE and GRE from A to real server B"

NS_A="$tag-a"
NS_B="$tag-b"
make_ns "$NS_A"
make_ns "$NS_B"
ip link add a0 netns "$NS_A" type veth peer name b0 netns "$NS_B"
ip -n "$NS_A" addr add 10.0.0.1/24 dev a0
ip -n "$NS_A" link set a0 up
ip -n "$NS_B" addr add 10.0.0.2/24 dev b0
ip -n "$NS_B" link set b0 up
b_mac=$(ip -n "$NS_B" -o link show b0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
dev_up() { ip -n "$NS_B" link show uvs-decap0 2>/dev/null | grep -q '[<,]UP[,>]'; }
dev_gone() { ! ip -n "$NS_B" link show uvs-decap0 >/dev/null 2>&1; }

# With strict rp_filter in `all`, decap would lose every packet: it must refuse to start.
set_conf "$NS_B" all/rp_filter 1
rc=0
timeout 10 ip netns exec "$NS_B" "$UVS_RS" decap >"$tmp/decap_refused.out" 2>&1 || rc=$?
expect "decap refuses to start while all.rp_filter is 1, and says why" \
  test "$rc" -eq 1 -a -n "$(grep -l 'net.ipv4.conf.all.rp_filter is 1' "$tmp/decap_refused.out")"
expect "the refused decap left no device behind" dev_gone

# A router-like real server: decap must still not forward inner packets that are not for it.
ip netns exec "$NS_B" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'

rc=0
ip netns exec "$NS_B" "$UVS_RS" up --vip "$VIP" --iface b0 --state "$tmp/b.state" \
  >"$tmp/up_b.out" 2>&1 || rc=$?
expect "up --iface b0 on B exits 0 (VIP on lo)" test "$rc" -eq 0

send() {
  ip netns exec "$NS_A" timeout 10 python3 "$tmp/send_tunnel.py" 10.0.0.2 10.0.0.1 "$VIP" \
    "$GUE_PORT" "$@"
}

# Baseline: without decap the kernel has no handler for protocols 4 and 47 and says so.
start_capture "$NS_A" "$tmp/icmp_before.pcap" 10 -c 2 'icmp[0] == 3 and icmp[1] == 2'
send ipip:udp:40100:baseline gre:udp:40101:baseline
finish_capture "$capture_pid"
expect "without decap, B answers IPIP and GRE with ICMP protocol unreachable" \
  test "$(count_packets "$tmp/icmp_before.pcap")" -eq 2

ip netns exec "$NS_B" timeout 60 python3 "$tmp/vip_server.py" "$VIP" 9999 "$tmp/received" 55 \
  >"$tmp/server.log" 2>&1 &
bg_pids+=($!)
expect "the VIP listener in B is ready" wait_until 10 test -e "$tmp/received.ready"

ip netns exec "$NS_B" "$UVS_RS" decap --gue-port "$GUE_PORT" >"$tmp/decap.out" \
  2>"$tmp/decap.err" &
decap_pid=$!
bg_pids+=("$decap_pid")
expect "decap creates uvs-decap0 and brings it up" wait_until 10 dev_up
expect "decap gave uvs-decap0 rp_filter=0 and accept_local=1" \
  test "$(conf "$NS_B" uvs-decap0/rp_filter)$(conf "$NS_B" uvs-decap0/accept_local)" = 01
# Let decap finish start-up (its sockets exist before the device, the log line comes after).
wait_until 10 grep_q "decapsulating IPIP, GRE and GUE on udp/$GUE_PORT" "$tmp/decap.err" || true

start_capture "$NS_A" "$tmp/icmp_during.pcap" 30 'icmp[0] == 3 and icmp[1] == 2'
icmp_pid=$capture_pid
start_capture "$NS_A" "$tmp/replies.pcap" 20 -c 8 "src host $VIP"
replies_pid=$capture_pid
start_capture "$NS_A" "$tmp/forwarded.pcap" 30 "src host 192.0.2.1"
forwarded_pid=$capture_pid

declare -A sport=([ipip]=41001 [gue]=41002 [gre]=41003 [gre-csum]=41004)
specs=()
for mode in ipip gue gre gre-csum; do
  specs+=("$mode:udp:${sport[$mode]}:uvs-$mode" "$mode:syn:${sport[$mode]}:")
done
specs+=("gre-badcsum:udp:41005:bad-gre-badcsum" "gue-badversion:udp:41006:bad-gue-badversion")
send "${specs[@]}"
# An inner packet from 192.0.2.1 to A itself: B has ip_forward=1, but uvs-decap0 has
# forwarding=0, so the kernel must drop it rather than route it out of b0.
ip netns exec "$NS_A" timeout 10 python3 "$tmp/send_tunnel.py" 10.0.0.2 192.0.2.1 10.0.0.1 \
  "$GUE_PORT" ipip:udp:41007:forward-me

finish_capture "$replies_pid"
for mode in ipip gue gre gre-csum; do
  p=${sport[$mode]}
  expect "$mode: the listener in B received the UDP payload" grep_q "^uvs-$mode\$" "$tmp/received"
  expect "$mode: B's UDP reply from $VIP:9999 reached A directly (tcpdump in A)" \
    test "$(count_packets "$tmp/replies.pcap" "udp and src port 9999 and dst port $p")" -ge 1
  expect "$mode: B's SYN-ACK from $VIP:9999 reached A directly (tcpdump in A)" \
    test "$(count_packets "$tmp/replies.pcap" \
      "tcp and src port 9999 and dst port $p and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)")" -ge 1
done
expect "every reply is plain IPv4 sent by B's b0 ($b_mac), not back through a tunnel" \
  test "$(tcpdump -r "$tmp/replies.pcap" -n -e 2>/dev/null | grep -vc "^[0-9:.]* $b_mac > .*ethertype IPv4")" \
  -eq 0 -a "$(count_packets "$tmp/replies.pcap")" -ge 8
expect "packets with a bad GRE checksum or GUE version were not delivered" \
  not grep_q "^bad-" "$tmp/received"

sleep 1 # a late ICMP error would be sent right after the packet; give it time to show up
kill -TERM "$icmp_pid" 2>/dev/null || true
finish_capture "$icmp_pid"
expect "with decap running, B sent no ICMP protocol unreachable (raw sockets took the packets)" \
  test "$(count_packets "$tmp/icmp_during.pcap")" -eq 0
kill -TERM "$forwarded_pid" 2>/dev/null || true
finish_capture "$forwarded_pid"
expect "an inner packet not for B was not forwarded, although B has ip_forward=1" \
  test "$(count_packets "$tmp/forwarded.pcap")" -eq 0

kill -USR1 "$decap_pid"
expect "SIGUSR1 prints the counters" wait_until 5 grep_q "drop_gue_bad_version" "$tmp/decap.out"
for line in "rx_ipip 3" "rx_gre 5" "rx_gue 3" "delivered 9" "dropped 2" \
  "drop_gre_bad_checksum 1" "drop_gue_bad_version 1"; do
  expect "counter: $line" grep_q "^  $line\\b" "$tmp/decap.out"
done

kill -TERM "$decap_pid"
expect "SIGTERM stops decap" wait_until 10 exited "$decap_pid"
rc=0
wait "$decap_pid" || rc=$?
forget_pid "$decap_pid"
expect "decap exits 0 after SIGTERM" test "$rc" -eq 0
expect "decap printed its counters on exit" \
  test "$(grep -c '^uvs-rs decap: counters' "$tmp/decap.out")" -eq 2
expect "the TUN device uvs-decap0 is gone" dev_gone

rc=0
ip netns exec "$NS_B" "$UVS_RS" down --state "$tmp/b.state" >"$tmp/down_b.out" 2>&1 || rc=$?
expect "down on B exits 0 and removes $VIP from lo" test "$rc" -eq 0 -a -z \
  "$(ip -n "$NS_B" -4 -o addr show dev lo | grep "$VIP")"

if ((failures > 0)); then
  for f in decap.out decap.err decap_refused.out up_b.out server.log; do
    echo "--- $f"
    cat "$tmp/$f" 2>/dev/null || true
  done
  echo "--- replies"
  tcpdump -r "$tmp/replies.pcap" -n -e 2>/dev/null || true
fi

echo "== $checks checks, $failures failed"
if ((failures > 0)); then
  echo "FAIL: uvs_rs_test.sh"
  exit 1
fi
echo "PASS: uvs_rs_test.sh"
