# lib.sh — shared helpers for the network-namespace tests and the demo (bash, sourced).
#
# Every namespace, background process and temporary file a script creates is registered and
# removed by an EXIT trap, also when a check fails or the script is interrupted. Namespace names
# carry the script's PID so concurrent runs never collide. Every wait is bounded.
#
# Topology of the seeds' NAT experiment (nat_topology):
#
#   client 10.0.1.2 ── eth0 10.0.1.1 [director: uvsd] eth1 10.0.2.1 ── switch ─┬─ rs1 10.0.2.11
#                                                                             └─ rs2 10.0.2.12
#   (back_host adds more hosts to the switch)
#   VIP 10.0.1.100 (owned by uvsd, not by the director's kernel)
#
# The back network's bridge lives in a namespace of its own ("switch") so that no namespace with
# uvsd in it has a bridge (ARP flux, design.md).

set -o pipefail

UVS_ROOT=${UVS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
UVS_BUILD=${UVS_BUILD:-$UVS_ROOT/build}
UVSD=${UVSD:-$UVS_BUILD/uvsd}
UVSADM=${UVSADM:-$UVS_BUILD/uvsadm}
UVS_RS=${UVS_RS:-$UVS_BUILD/uvs-rs}

_UVS_TAG="u$$"
_UVS_NS=()
_UVS_PIDS=()
UVS_TMP=$(mktemp -d /tmp/uvs-test.XXXXXX)
FAILURES=0

# Stop every background process and delete every namespace made so far (also used between the
# phases of one script, so each phase starts from nothing).
uvs_cleanup_namespaces() {
  local pid ns
  set +e  # best effort: a process that is already gone must not stop the clean-up
  for pid in "${_UVS_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${_UVS_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  for ns in "${_UVS_NS[@]}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  _UVS_PIDS=()
  _UVS_NS=()
}

uvs_cleanup() {
  local pid ns
  set +e  # best effort, also when the calling script runs with `set -e`
  for pid in "${_UVS_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${_UVS_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  for ns in "${_UVS_NS[@]}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  if [[ -n ${UVS_KEEP_TMP:-} ]]; then
    echo "kept $UVS_TMP"
  else
    rm -rf "$UVS_TMP"
  fi
}
trap uvs_cleanup EXIT
trap 'exit 130' INT TERM

# Skip (exit 77, ctest's SKIP_RETURN_CODE) unless root and the tools are there.
require_root() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "SKIP: needs root (network namespaces)"
    exit 77
  fi
  if ! ip netns add "${_UVS_TAG}probe" 2>/dev/null; then
    echo "SKIP: cannot create network namespaces here"
    exit 77
  fi
  ip netns del "${_UVS_TAG}probe"
}
require_cmds() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "SKIP: $c is not installed"; exit 77; }
  done
}

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
check() {  # check "description" command...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
  if [[ $FAILURES -ne 0 ]]; then
    echo "$FAILURES check(s) failed"
    exit 1
  fi
  echo "all checks passed"
}

# ns NAME -> the real namespace name for a role
ns() { echo "${_UVS_TAG}-$1"; }
nsx() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }

ns_create() {
  local n; n=$(ns "$1")
  ip netns add "$n"
  _UVS_NS+=("$n")
  ip -n "$n" link set lo up
  # New namespaces inherit the host's defaults; state what the role needs instead of trusting it.
  ip netns exec "$n" sysctl -qw net.ipv4.ip_forward=0
}

# link ROLE1 IF1 ROLE2 IF2: a veth pair between two namespaces, both ends up.
link() {
  local a b
  a=$(ns "$1"); b=$(ns "$3")
  local left="v${RANDOM}a" right="v${RANDOM}b"
  ip link add "$left" type veth peer name "$right"
  ip link set "$left" netns "$a"
  ip link set "$right" netns "$b"
  ip -n "$a" link set "$left" name "$2"
  ip -n "$b" link set "$right" name "$4"
  ip -n "$a" link set "$2" up
  ip -n "$b" link set "$4" up
}

# bg ROLE LOGFILE command...: run in the background inside a namespace, remember the PID.
bg() {
  local role=$1 log=$2; shift 2
  ip netns exec "$(ns "$role")" "$@" >"$log" 2>&1 &
  _UVS_PIDS+=($!)
  LAST_PID=$!
}

# wait_until SECONDS command...: retry every 0.1 s.
wait_until() {
  local t=$1; shift
  local i
  for i in $(seq $((t * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

nat_topology() {
  ns_create client
  ns_create director
  ns_create switch
  link client eth0 director eth0
  link director eth1 switch p0
  ip -n "$(ns switch)" link add br0 type bridge
  ip -n "$(ns switch)" link set p0 master br0
  ip -n "$(ns switch)" link set br0 up
  ip -n "$(ns client)" addr add 10.0.1.2/24 dev eth0
  ip -n "$(ns director)" addr add 10.0.1.1/24 dev eth0
  ip -n "$(ns director)" addr add 10.0.2.1/24 dev eth1
  back_host rs1 10.0.2.11 p1
  back_host rs2 10.0.2.12 p2
}
# back_host ROLE ADDRESS SWITCH_PORT: one more host on nat_topology's back network (10.0.2.0/24)
# on its own switch port, routed through the director, as rs1 (p1) and rs2 (p2) are.
back_host() {
  ns_create "$1"
  link "$1" eth0 switch "$3"
  ip -n "$(ns switch)" link set "$3" master br0
  ip -n "$(ns "$1")" addr add "$2/24" dev eth0
  ip -n "$(ns "$1")" route add default via 10.0.2.1
}

# random_file PATH BYTES: a file of random bytes; prints its sha256.
random_file() {
  head -c "$2" /dev/urandom >"$1"
  sha256sum <"$1" | cut -d' ' -f1
}

# web_server ROLE NAME: a real HTTP server on port 80 serving a page that names it.
web_server() {
  local dir="$UVS_TMP/www-$1"
  mkdir -p "$dir"
  echo "$2" >"$dir/index.html"
  bg "$1" "$UVS_TMP/http-$1.log" python3 -m http.server 80 --bind 0.0.0.0 --directory "$dir"
  wait_until 10 nsx "$1" python3 -c "import socket; socket.create_connection(('127.0.0.1', 80), 1)"
}

# udp_server ROLE NAME PORT: answers each datagram with "NAME:<payload>".
udp_server() {
  bg "$1" "$UVS_TMP/udp-$1.log" python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', $3))
while True:
    data, peer = s.recvfrom(65535)
    s.sendto(b'$2:' + data, peer)
"
}

# start_uvsd CONFIG: uvsd in the director namespace with a private control socket.
UVS_SOCKET_PATH=""
start_uvsd() {
  UVS_SOCKET_PATH="$UVS_TMP/uvsd.sock"
  bg director "$UVS_TMP/uvsd.log" "$UVSD" --config "$1" --socket "$UVS_SOCKET_PATH"
  UVSD_PID=$LAST_PID
  if ! wait_until 10 uvsadm -Ln; then
    echo "uvsd did not start; its log:"
    cat "$UVS_TMP/uvsd.log"
    return 1
  fi
}
# write_file PATH < TEXT: replace PATH atomically, so that a reload never reads half a file.
write_file() {
  cat >"$1.new" && mv "$1.new" "$1"
}
# Configuration files for the NAT topology, written with write_file:
#   { toml_daemon 'run_estimation = false'; toml_nat_service 10.0.1.100:80 rr 10.0.2.11:80=3 \
#       10.0.2.12:80; } | write_file "$CONF"
# toml_daemon [LINE...]: the [daemon] table on eth0 and eth1, plus LINEs ("key = value").
toml_daemon() {
  printf '[daemon]\ninterfaces = ["eth0", "eth1"]\n'
  [[ $# -eq 0 ]] || printf '%s\n' "$@"
}
# toml_nat_service VIP:PORT SCHEDULER REAL[=WEIGHT]...: one TCP service, its real servers
# (ADDRESS:PORT) forwarded by NAT, with the weight given or the default 1.
toml_nat_service() {
  local real
  printf '\n[[service]]\nprotocol = "tcp"\naddress = "%s"\nscheduler = "%s"\n' "$1" "$2"
  shift 2
  for real in "$@"; do
    printf '  [[service.real]]\n  address = "%s"\n  forward = "nat"\n' "${real%%=*}"
    [[ $real != *=* ]] || printf '  weight = %s\n' "${real#*=}"
  done
}
# reload_uvsd: SIGHUP, then wait for the log line that says how the reload ended.
reload_uvsd() {
  local before; before=$(grep -c 'reload' "$UVS_TMP/uvsd.log")
  kill -HUP "$UVSD_PID"
  wait_until 10 bash -c "[ \$(grep -c 'reload' '$UVS_TMP/uvsd.log') -gt $before ]"
}
# reload_applied: reload_uvsd, and succeed only if uvsd logged one more reload it applied.
reload_applied() {
  local before; before=$(grep -c ': reloaded ' "$UVS_TMP/uvsd.log")
  reload_uvsd && [[ $(grep -c ': reloaded ' "$UVS_TMP/uvsd.log") -gt $before ]]
}
stop_uvsd() {
  kill "$UVSD_PID" 2>/dev/null
  wait_until 5 bash -c "! kill -0 $UVSD_PID 2>/dev/null"
}

uvsadm() { "$UVSADM" --socket "$UVS_SOCKET_PATH" "$@"; }
counter() {  # counter NAME: its value in uvsadm --counters (0 when not listed)
  uvsadm --counters | awk -v n="$1:" '$1 == n {v = $2} END {print v + 0}'
}

# A stream of short requests from the client while a test changes uvsd under load, one every
# 0.05 s, at most 3000, each bounded by 5 s; a line "ok BODY" or "FAILED ERROR" per request in
# $UVS_TMP/stream.log. start_stream URL; pause_stream / resume_stream (for checks that count
# which server answered: the stream's own new connections would take turns of the scheduler);
# stop_stream MIN: stop it, and check that none failed and that more than MIN were answered.
# A stopped stream can be started again (its log then starts afresh).
start_stream() {
  STREAM_DIR="$UVS_TMP/stream"
  mkdir -p "$STREAM_DIR"
  rm -f "$STREAM_DIR/stop" "$STREAM_DIR/pause" "$STREAM_DIR/paused"
  bg client "$UVS_TMP/stream.log" bash -c "
    for i in \$(seq 3000); do
      [ -e '$STREAM_DIR/stop' ] && break
      if [ -e '$STREAM_DIR/pause' ]; then touch '$STREAM_DIR/paused'; sleep 0.05; continue; fi
      rm -f '$STREAM_DIR/paused'
      if out=\$(curl -sS --max-time 5 '$1' 2>&1); then echo \"ok \$out\"; else echo \"FAILED \$out\"; fi
      sleep 0.05
    done"
  STREAM_PID=$LAST_PID
}
pause_stream() { touch "$STREAM_DIR/pause"; wait_until 10 test -e "$STREAM_DIR/paused"; }
resume_stream() { rm -f "$STREAM_DIR/pause" "$STREAM_DIR/paused"; }
stop_stream() {
  local ok_count failed
  touch "$STREAM_DIR/stop"
  for _ in $(seq 100); do kill -0 "$STREAM_PID" 2>/dev/null || break; sleep 0.1; done
  ok_count=$(grep -c '^ok ' "$UVS_TMP/stream.log")
  failed=$(grep -c '^FAILED' "$UVS_TMP/stream.log")
  echo "stream: $ok_count requests answered, $failed failed"
  check "no request of the stream failed" test "$failed" -eq 0
  check "the stream ran throughout (more than $1 requests)" test "$ok_count" -gt "$1"
  grep FAILED "$UVS_TMP/stream.log" | head
}

# fetch: curl from the client namespace, bounded; prints the body.
fetch() { nsx client curl -sS --max-time 5 "$@"; }
