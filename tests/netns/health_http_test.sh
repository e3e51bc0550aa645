#!/usr/bin/env bash
# Health checks with real programs (issue 7): uvsd checks each real server's HTTP page every
# second (config/nat-health.toml's checks: interval 1, timeout 1, retries 1, retry_delay 1).
#
# Phase 1, inhibit_on_failure: stopping rs1's HTTP server takes rs1 to weight 0 within
#   interval × (retries + 1) + timeout; it stays listed, gets no new connection, and a download
#   already running from it finishes intact (weight 0 lets connections drain; a REMOVED real
#   server's client packets are dropped, as IPVS drops them: keepalived's reason for
#   inhibit_on_failure). Starting the server again brings rs1 back to its weight.
# Phase 2, reloaded without inhibit_on_failure: stopping rs1's server removes rs1 from the
#   service; a reload (SIGHUP) does not bring it back while it is down; starting the server again
#   puts it back and it gets traffic again.
# `uvsadm --health` and uvsd's log name the state, the checker and the reason.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3 sha256sum

nat_topology

# An HTTP server that, on SIGUSR1, stops accepting (its listening socket closes) but lets the
# transfers in progress finish: "stopping the web server" without cutting what it is sending.
cat >"$UVS_TMP/server.py" <<'PY'
import http.server, os, signal, sys, threading, time
os.chdir(sys.argv[1])
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
    # Paced: 64 KiB every 0.1 s (big.bin takes about 9 s), so the download is still running
    # when the checker notices the stop. curl --limit-rate alone let it finish early at times.
    def copyfile(self, src, dst):
        while chunk := src.read(65536):
            dst.write(chunk)
            dst.flush()
            time.sleep(0.1)
class Server(http.server.ThreadingHTTPServer):
    daemon_threads = False      # server_close() waits for the transfers in progress
srv = Server(("0.0.0.0", 80), Quiet)
signal.signal(signal.SIGUSR1, lambda *_: threading.Thread(target=srv.shutdown).start())
srv.serve_forever()
srv.server_close()
PY
start_web() {  # start_web ROLE NAME
  local dir="$UVS_TMP/www-$1"
  mkdir -p "$dir"
  echo "$2" >"$dir/index.html"
  [[ -f $dir/big.bin ]] || head -c 6000000 /dev/urandom >"$dir/big.bin"
  bg "$1" "$UVS_TMP/http-$1.log" python3 "$UVS_TMP/server.py" "$dir"
  eval "WEB_PID_$1=$LAST_PID"
  wait_until 10 nsx "$1" python3 -c "import socket; socket.create_connection(('127.0.0.1', 80), 1)"
}
start_web rs1 RS1
start_web rs2 RS2

# Phase 1's file: nat-health.toml with inhibit_on_failure on both real servers.
CONF="$UVS_TMP/uvs.toml"
python3 - "$UVS_ROOT/config/nat-health.toml" "$CONF" <<'PY'
import sys
s = open(sys.argv[1]).read()
assert s.count('  forward = "nat"\n') == 2
s = s.replace('  forward = "nat"\n', '  forward = "nat"\n  inhibit_on_failure = true\n')
open(sys.argv[2], "w").write(s)
PY
start_uvsd "$CONF"

# Is REAL listed in the service with weight W? Is it absent?
listed() { uvsadm -Ln | grep -Eq -- "-> $1:80 +Masq +$2 "; }
absent() { ! uvsadm -Ln | grep -q -- "-> $1:80 "; }
both_listed() { listed 10.0.2.11 1 && listed 10.0.2.12 1; }
health_says() { uvsadm --health | grep -Eq "$1"; }
conn_to_rs1() { uvsadm -Lnc | grep -q 'ESTABLISHED.*10\.0\.2\.11:80'; }
fetch_n() {  # fetch_n N: the real servers that answer N requests, space-separated
  local i out=()
  for i in $(seq 1 "$1"); do out+=("$(fetch http://10.0.1.100/)"); done
  echo "${out[*]}"
}

check "both real servers are listed with weight 1" both_listed
check "uvsadm --health shows rs1's checker UP with HTTP 200" \
  wait_until 5 health_says '^  10\.0\.2\.11:80 +http +UP .*ok: HTTP 200'
check "uvsadm --health shows rs2's checker UP with HTTP 200" \
  wait_until 5 health_says '^  10\.0\.2\.12:80 +http +UP .*ok: HTTP 200'
uvsadm --health

# --- Phase 1: inhibit_on_failure, a download held open across the failure.
# rr walks the list newest first: this request goes to rs2, so the download goes to rs1.
check "first request answered by RS2" test "$(fetch http://10.0.1.100/)" = "RS2"
nsx client curl -sS --max-time 60 --limit-rate 400k -o "$UVS_TMP/big.out" http://10.0.1.100/big.bin \
  >"$UVS_TMP/curl-big.log" 2>&1 &
DOWNLOAD=$!
_UVS_PIDS+=("$DOWNLOAD")
check "the long download comes from rs1" wait_until 5 conn_to_rs1

kill -USR1 "$WEB_PID_rs1"
t0=$(date +%s.%N)
check "rs1 goes to weight 0 within interval*(retries+1)+timeout (+2 s margin)" \
  wait_until 5 listed 10.0.2.11 0
t1=$(date +%s.%N)
echo "rs1 at weight 0 $(python3 -c "print(round($t1 - $t0, 2))") s after its server stopped"
check "the download from rs1 is still running then" kill -0 "$DOWNLOAD"
check "uvsd's log says who, which checker and why" \
  grep -Eq 'health: TCP 10\.0\.1\.100:80: real 10\.0\.2\.11:80: http check DOWN \(connect: Connection refused, after 1 retry\): weight 0 \(inhibit_on_failure\)' "$UVS_TMP/uvsd.log"
uvsadm --health
check "uvsadm --health shows rs1 DOWN, weight 0, with the reason" \
  health_says '^  10\.0\.2\.11:80 +http +DOWN +0 .*failed: connect: Connection refused'
answers=$(fetch_n 6)
check "new connections all go to rs2 (got: $answers)" test "$answers" = "RS2 RS2 RS2 RS2 RS2 RS2"
wait "$DOWNLOAD"
rc=$?
check "the download from rs1 that was running finished (curl exit $rc)" test "$rc" -eq 0
check "and is intact" test "$(sha256sum <"$UVS_TMP/big.out")" = "$(sha256sum <"$UVS_TMP/www-rs1/big.bin")"
start_web rs1 RS1
check "rs1 is back to weight 1 within interval + timeout (+2 s margin)" \
  wait_until 4 listed 10.0.2.11 1
check "uvsd's log says rs1 is back" \
  grep -Eq 'real 10\.0\.2\.11:80: http check UP \(HTTP 200\): weight back to 1' "$UVS_TMP/uvsd.log"
answers=$(fetch_n 4)
check "rs1 gets new connections again (got: $answers)" \
  bash -c "grep -q RS1 <<<\"\$0\" && grep -q RS2 <<<\"\$0\"" "$answers"

# --- Phase 2: the file as written (no inhibit_on_failure), through a reload.
cp "$UVS_ROOT/config/nat-health.toml" "$CONF"
kill -HUP "$UVSD_PID"
check "the reload is applied" wait_until 5 grep -q "reloaded $CONF: 0 change(s)" "$UVS_TMP/uvsd.log"
kill -USR1 "$WEB_PID_rs1"
check "rs1 leaves the service within interval*(retries+1)+timeout (+2 s margin)" \
  wait_until 5 absent 10.0.2.11
check "uvsd's log says it was removed" \
  grep -Eq 'real 10\.0\.2\.11:80: http check DOWN \(connect: Connection refused, after 1 retry\): removed' "$UVS_TMP/uvsd.log"
answers=$(fetch_n 4)
check "new connections all go to rs2 (got: $answers)" test "$answers" = "RS2 RS2 RS2 RS2"

# A reload must not bring back a real server that is down.
kill -HUP "$UVSD_PID"
check "a second reload is applied" \
  wait_until 5 bash -c "[[ \$(grep -c 'reloaded $CONF' $UVS_TMP/uvsd.log) -eq 2 ]]"
check "after SIGHUP rs1 is still out (the reload kept its state)" absent 10.0.2.11

start_web rs1 RS1
check "rs1 comes back within interval + timeout (+2 s margin)" wait_until 4 listed 10.0.2.11 1
check "uvsd's log says it was added back" \
  grep -Eq 'real 10\.0\.2\.11:80: http check UP \(HTTP 200\): added back with weight 1' "$UVS_TMP/uvsd.log"
answers=$(fetch_n 4)
check "rs1 gets new connections again (got: $answers)" \
  bash -c "grep -q RS1 <<<\"\$0\" && grep -q RS2 <<<\"\$0\"" "$answers"
uvsadm -Ln
finish
