#!/usr/bin/env bash
# The control socket under abuse (issue 5, item 1): several uvsadm clients at once; random
# garbage, malformed and truncated JSON, an oversized request, a client that vanishes in the
# middle of a request or before reading its answer, idle clients, and hundreds of short-lived
# connections. Each bad client gets an error (or nothing, if it is gone), nobody else is
# disturbed, uvsd keeps serving and keeps forwarding, and every vanished client's file
# descriptor is released. Also: the socket is created mode 0600 and UVS_SOCKET finds it.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3

VIP=10.0.1.100
nat_topology
web_server rs1 RS1
web_server rs2 RS2
# uvsd with a small descriptor limit, so that the test can also run it out of descriptors.
UVS_SOCKET_PATH="$UVS_TMP/uvsd.sock"
SOCK=$UVS_SOCKET_PATH
bg director "$UVS_TMP/uvsd.log" prlimit --nofile=128:128 \
  "$UVSD" --config "$UVS_ROOT/config/nat-rr.toml" --socket "$SOCK"
UVSD_PID=$LAST_PID
wait_until 10 uvsadm -Ln || { fail "uvsd starts"; cat "$UVS_TMP/uvsd.log"; finish; }

check "the control socket is mode 0600" test "$(stat -c %a "$SOCK")" = 600
check "UVS_SOCKET finds the daemon" env UVS_SOCKET="$SOCK" "$UVSADM" -Ln
check "forwarding works before the abuse" fetch "http://$VIP/"
fd_count() { ls "/proc/$UVSD_PID/fd" | wc -l; }
fds_before=$(fd_count)

# --- an idle client holds a connection open for the whole test: it must block nobody.
bg director "$UVS_TMP/idle.log" python3 -c "
import socket, time
s = socket.socket(socket.AF_UNIX); s.connect('$SOCK'); s.sendall(b'{\"argv\": [\"-L')
time.sleep(60)"
IDLE_PID=$LAST_PID

# --- several uvsadm clients at once: 20 adds and 20 listings in parallel.
# Every client is bounded by `timeout`, so a daemon that stopped answering fails the test
# instead of hanging it.
tadm() { timeout 20 "$UVSADM" --socket "$SOCK" "$@"; }
pids=()
for i in $(seq 20); do
  ( tadm -A -t $VIP:$((9000 + i)) -s rr && tadm -a -t $VIP:$((9000 + i)) -r 10.0.2.11:80 -m ) \
    >"$UVS_TMP/par-add-$i.log" 2>&1 &
  pids+=($!)
  tadm -Ln >"$UVS_TMP/par-list-$i.log" 2>&1 &
  pids+=($!)
done
bad=0
for p in "${pids[@]}"; do
  wait "$p" || bad=$((bad + 1))
done
check "40 concurrent uvsadm clients all succeed" test "$bad" -eq 0
check "the 20 services added concurrently are all there" \
  test "$(uvsadm -Sn | grep -c "^-a -t $VIP:90")" -eq 20
check "every concurrent listing is a whole listing" \
  bash -c "for f in '$UVS_TMP'/par-list-*.log; do head -1 \"\$f\" | grep -q '^IP Virtual Server version 1.2.1' || exit 1; done"

# --- the abusers, one scenario after the other, each checked by the script itself.
cat >"$UVS_TMP/abuse.py" <<'EOF'
import json, os, random, socket, sys, time

path = sys.argv[1]
failures = 0

def check(what, ok):
    global failures
    print(("PASS: " if ok else "FAIL: ") + what)
    if not ok:
        failures += 1

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s

def read_line(s):
    data = b''
    while not data.endswith(b'\n'):
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            break
        if not chunk:
            break
        data += chunk
    return data

def closed(s):
    try:
        return s.recv(1) == b''
    except (ConnectionResetError, BrokenPipeError):
        return True

def error_answer(raw, needle):
    try:
        r = json.loads(raw)
    except ValueError:
        return False
    return r.get('exit') == 2 and needle in r.get('stderr', '') and r.get('stdout') == ''

def good_request(s, argv):
    s.sendall((json.dumps({'argv': argv}) + '\n').encode())
    r = json.loads(read_line(s))
    return r

random.seed(5)

# Random garbage, terminated by a newline: an error answer, then the connection is closed.
for n in (1, 17, 4096):
    s = connect()
    junk = bytes(random.choice(range(256)) for _ in range(n)).replace(b'\n', b'x')
    s.sendall(junk + b'\n')
    raw = read_line(s)
    check('%d bytes of garbage get an error answer' % n, error_answer(raw, 'malformed control message'))
    check('... and the connection is closed', closed(s))
    s.close()

# Truncated, ill-typed and otherwise wrong JSON.
for bad in (b'{"argv": ["-L"', b'{"argv": "-L"}', b'{"argv": [1]}', b'[]', b'{"argv": ["-L"]} x',
            b'{"argv": ["-L"], "stdin": 5}', b'"\\ud800"', b'{' * 10000):
    s = connect()
    s.sendall(bad + b'\n')
    raw = read_line(s)
    check('malformed %r... gets an error answer' % bad[:24], error_answer(raw, 'malformed control message'))
    s.close()

# An oversized request (more than 16 MiB without a newline).
s = connect()
try:
    s.sendall(b'a' * ((16 << 20) + 4096))
except (BrokenPipeError, ConnectionResetError):
    pass
raw = read_line(s)
check('an oversized request gets an error answer', error_answer(raw, 'larger than 16 MiB'))
check('... and the connection is closed', closed(s))
s.close()

# Several requests on one connection are answered in order.
s = connect()
answers = [good_request(s, argv) for argv in (['-Ln'], ['-L', '--timeout'], ['-Q'])]
check('three requests on one connection are answered in order',
      answers[0]['exit'] == 0 and answers[0]['stdout'].startswith('IP Virtual Server') and
      answers[1]['stdout'] == 'Timeout (tcp tcpfin udp): 900 120 300\n' and
      answers[2]['exit'] != 0)
s.close()

# Clients that vanish: mid-request, right after a request without reading the answer, and
# after a large request; hundreds of connect/close cycles.
for _ in range(50):
    s = connect(); s.sendall(b'{"argv": ["-Ln", "--st'); s.close()
    s = connect(); s.sendall(b'{"argv": ["-Lnc"]}\n'); s.close()
    s = connect(); s.close()
big = json.dumps({'argv': ['-R'], 'stdin': '-A -t 10.0.1.100:7777 -s rr\n' + '#' * 500000}) + '\n'
s = connect(); s.sendall(big.encode()); s.close()
for _ in range(200):
    connect().close()

# Meanwhile and afterwards, a well-behaved client is served normally.
s = connect()
r = good_request(s, ['-Ln'])
check('a well-behaved client is still served', r['exit'] == 0 and ':80 rr' in r['stdout'])
s.close()
sys.exit(1 if failures else 0)
EOF
timeout 120 python3 "$UVS_TMP/abuse.py" "$SOCK"
check "the abuse script's checks all passed" test $? -eq 0

# --- out of descriptors: 200 idle clients against a limit of 128. uvsd cannot accept more
# than it has room for; meanwhile it must neither spin nor flood its log, and it must serve
# again once they are gone.
cat >"$UVS_TMP/hog.py" <<'PYEOF'
import resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1024), max(hard, 1024)))
held = []
for _ in range(200):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    held.append(s)
time.sleep(float(sys.argv[2]))
PYEOF
accept_logs_before=$(grep -c 'accept' "$UVS_TMP/uvsd.log")
cpu_before=$(awk '{print $14 + $15}' "/proc/$UVSD_PID/task/$UVSD_PID/stat")
timeout 30 python3 "$UVS_TMP/hog.py" "$SOCK" 3
cpu_after=$(awk '{print $14 + $15}' "/proc/$UVSD_PID/task/$UVSD_PID/stat")
accept_logs=$(($(grep -c 'accept' "$UVS_TMP/uvsd.log") - accept_logs_before))
echo "out of descriptors for 3 s: $accept_logs log line(s) about accept," \
  "$((cpu_after - cpu_before)) CPU tick(s)"
check "out of descriptors, uvsd does not flood its log" test "$accept_logs" -le 5
check "out of descriptors, the control thread does not spin (under 1 s of CPU in 3 s)" \
  test $((cpu_after - cpu_before)) -lt "$(getconf CLK_TCK)"
check "uvsd serves again once the idle clients are gone" wait_until 10 uvsadm -Ln

check "uvsd survived" kill -0 "$UVSD_PID"
check "uvsadm works" bash -c "'$UVSADM' --socket '$SOCK' -Ln >/dev/null"
check "forwarding works after the abuse" fetch "http://$VIP/"
check "the -R sent by a vanished client was applied (it was whole)" \
  bash -c "'$UVSADM' --socket '$SOCK' -Sn | grep -q '^-A -t $VIP:7777 -s rr'"

# --- uvsadm -R of a large save (a 564 KB save was once refused: the bound was 512 KiB). 200
# services of 80 real servers each, 16200 lines, about 800 KB; then input over the 8 MiB bound,
# which uvsadm refuses itself.
python3 -c "
for s in range(200):
    print('-A -t 10.0.9.1:%d -s wrr' % (1000 + s))
    for r in range(80):
        print('-a -t 10.0.9.1:%d -r 10.0.%d.%d:8080 -m -w %d' % (1000 + s, 3 + r // 50, 1 + r % 50, 1 + r))
" >"$UVS_TMP/big.save"
echo "big.save: $(wc -c <"$UVS_TMP/big.save") bytes, $(wc -l <"$UVS_TMP/big.save") lines"
check "a save over 512 KiB is restored" \
  bash -c "timeout 300 '$UVSADM' --socket '$SOCK' -R <'$UVS_TMP/big.save'"
check "... all of it" test "$("$UVSADM" --socket "$SOCK" -Sn | grep -c '^-a -t 10.0.9.1:')" -eq 16000
# --- the seeds' `ipvsadm-save -n > f1` ... `ipvsadm-restore < f1`, with uvs's scripts: the table
# saved, cleared and restored is the same table.
"$UVS_BUILD/uvsadm-save" -n --socket "$SOCK" >"$UVS_TMP/f1"
check "uvsadm-save -n prints what uvsadm -Sn prints" \
  bash -c "'$UVSADM' --socket '$SOCK' -Sn | cmp -s - '$UVS_TMP/f1'"
"$UVSADM" --socket "$SOCK" -C
check "... the table is cleared" test -z "$("$UVSADM" --socket "$SOCK" -Sn)"
check "uvsadm-restore reads it back" bash -c "'$UVS_BUILD/uvsadm-restore' --socket '$SOCK' <'$UVS_TMP/f1'"
check "... the same table" bash -c "'$UVSADM' --socket '$SOCK' -Sn | cmp -s - '$UVS_TMP/f1'"
head -c $((8 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$UVS_TMP/huge.save"
"$UVSADM" --socket "$SOCK" -R <"$UVS_TMP/huge.save" >"$UVS_TMP/huge.out" 2>&1
check "restore input over 8 MiB is refused with exit 255" test $? -eq 255
check "... saying why" grep -q 'restore input larger than 8 MiB' "$UVS_TMP/huge.out"
kill "$IDLE_PID" 2>/dev/null
wait_until 5 bash -c "[ \$(ls /proc/$UVSD_PID/fd | wc -l) -le $fds_before ]"
fds_after=$(fd_count)
echo "uvsd file descriptors: $fds_before before, $fds_after after"
check "every vanished client's connection was released" test "$fds_after" -le "$fds_before"
if [[ $FAILURES -ne 0 ]]; then
  echo "--- uvsd log"
  cat "$UVS_TMP/uvsd.log"
fi
finish
