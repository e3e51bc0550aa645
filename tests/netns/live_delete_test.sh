#!/usr/bin/env bash
# Deleting what carries connections (issue 5, item 5; reference §3.6, §6.6). On the seeds' NAT
# topology, paced downloads (24 MB at about 2 MB/s, fixed client ports) run while the real
# server carrying one of them is deleted with uvsadm -d, and then while the service carrying
# another is deleted with uvsadm -D; meanwhile a second download on the other real server and a
# stream of short requests must not notice anything. Once with expire_nodest_conn = false (the
# default), once with true (set by a SIGHUP reload). What IPVS does, and so what is checked:
#   * false: the connection entry stays (uvsadm -Lnc still lists it, with its old destination);
#     the client's packets are dropped silently (`real_unavailable` in uvsadm --counters), the
#     server's still reach the client, so the download stalls: its bytes stop growing; re-adding
#     the same real server (or the service and the real server) revives the entry and the
#     download resumes and completes intact.
#   * true: the entry is removed at once by the background flush (gone from -Lnc). The server's
#     segments then match nothing and are left to the kernel (`not_vip`), which drops them (no
#     forwarding). The client's next segment is not a SYN and finds no entry: under IPVS it goes
#     to the director's stack, which has the VIP and answers with an RST; under uvs the VIP is
#     on no kernel interface, so uvsd answers with that RST itself (`tcp_resets_sent`). A
#     client that sends after the deletion is reset at once. A downloading client sends only
#     ACKs of what arrives, and nothing arrives any more: it stalls, as under IPVS, until its
#     own timeout (curl exit 28) - unless one of its ACKs was still on the way (exit 56). Either
#     way it has part of the file only, and the segment it sends on giving up is reset.
# Before each deletion the carrying real server is quiesced (weight 0), so no short request of
# the stream is in flight to it: the stream's requests all go to the other real server.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3 sha256sum

VIP=10.0.1.100
SIZE=24000000
CONF="$UVS_TMP/uvs.toml"
nat_topology

# paced_web_server ROLE NAME: HTTP on port 80; /index.html names the server, /big.bin is sent in
# 32 KB writes every 16 ms (about 2 MB/s), so a download lasts long enough to be interrupted and
# a stall shows at once on the client (pacing at the client would hide it behind its buffer).
paced_web_server() {
  local dir="$UVS_TMP/www-$1"
  mkdir -p "$dir"
  echo "$2" >"$dir/index.html"
  cp "$UVS_TMP/big.bin" "$dir/big.bin"
  bg "$1" "$UVS_TMP/http-$1.log" python3 -c "
import http.server, os, socketserver, sys, time
root = sys.argv[1]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            data = open(os.path.join(root, os.path.basename(self.path)), 'rb').read()
        except OSError:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        paced = self.path.endswith('big.bin')
        for i in range(0, len(data), 32768):
            self.wfile.write(data[i:i + 32768])
            if paced:
                time.sleep(0.016)
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
Server(('0.0.0.0', 80), Handler).serve_forever()
" "$dir"
  wait_until 10 nsx "$1" python3 -c "import socket; socket.create_connection(('127.0.0.1', 80), 1)"
}

want=$(random_file "$UVS_TMP/big.bin" $SIZE)
paced_web_server rs1 RS1
paced_web_server rs2 RS2

# write_conf NODEST: port 80 with RS1 (weight 1) and RS2 (weight 0, so that the next download
# lands on RS1), port 8080 with RS1 only.
write_conf() {
  write_file "$CONF" <<EOF
[daemon]
interfaces = ["eth0", "eth1"]
expire_nodest_conn = $1

[[service]]
protocol = "tcp"
address = "$VIP:80"
scheduler = "rr"
real = [{ address = "10.0.2.11:80", forward = "nat", weight = 1 },
        { address = "10.0.2.12:80", forward = "nat", weight = 0 }]

[[service]]
protocol = "tcp"
address = "$VIP:8080"
scheduler = "rr"
real = [{ address = "10.0.2.11:80", forward = "nat" }]
EOF
}

# download NAME PORT LOCAL_PORT [CURL_OPTION...]: in the background, into $UVS_TMP/NAME.bin;
# curl's exit status goes to $UVS_TMP/NAME.rc when it ends.
download() {
  local name=$1 port=$2 lport=$3; shift 3
  bg client "$UVS_TMP/$name.log" bash -c \
    "curl -sS --max-time 150 --local-port $lport $* -o '$UVS_TMP/$name.bin' http://$VIP:$port/big.bin;
     echo \$? >'$UVS_TMP/$name.rc'"
}
bytes() { stat -c %s "$UVS_TMP/$1.bin" 2>/dev/null || echo 0; }
# The -Lnc line of client port LPORT: "STATE DESTINATION", empty when there is none.
entry() { uvsadm -Lnc | awk -v c="10.0.1.2:$1" '$4 == c {print $3, $6}'; }
no_entry() { [[ -z $(entry "$1") ]]; }
has_entry() { [[ -n $(entry "$1") ]]; }
# not_listed TEXT [-t VS]: uvsadm -Ln (of that service) does not show TEXT.
not_listed() { ! uvsadm -Ln "${@:2}" | grep -q -- "$1"; }
# stalled NAME: no byte arrived for 1.5 s.
stalled() { local a; a=$(bytes "$1"); sleep 1.5; [[ $(bytes "$1") -eq $a ]]; }
grows() { local a; a=$(bytes "$1"); sleep 1; [[ $(bytes "$1") -gt $a ]]; }
at_least() { [[ $(bytes "$1") -ge $2 ]]; }
finished() { [[ -s $UVS_TMP/$1.rc ]]; }
rc_of() { cat "$UVS_TMP/$1.rc" 2>/dev/null; }
intact() { [[ $(rc_of "$1") == 0 && $(sha256sum <"$UVS_TMP/$1.bin" | cut -d' ' -f1) == "$want" ]]; }
counter_above() { [[ $(counter "$1") -gt $2 ]]; }
# on_real LPORT IP: the download's connection is ESTABLISHED to IP:80.
on_real() { [[ $(entry "$1") == "ESTABLISHED $2:80" ]]; }

# start_pair D_ONE D_OTHER LPORT_ONE LPORT_OTHER [CURL_OPTION...]: a download on RS1 through
# port 80 (RS2 has weight 0), then RS1 quiesced and RS2 weighted, and a download on RS2.
start_pair() {
  local one=$1 other=$2 lone=$3 lother=$4; shift 4
  download "$one" 80 "$lone" "$@"
  check "$one runs on RS1" wait_until 10 on_real "$lone" 10.0.2.11
  uvsadm -e -t $VIP:80 -r 10.0.2.12:80 -m -w 1
  uvsadm -e -t $VIP:80 -r 10.0.2.11:80 -m -w 0
  download "$other" 80 "$lother"
  check "$other runs on RS2" wait_until 10 on_real "$lother" 10.0.2.12
  wait_until 10 at_least "$one" 1000000
}

write_conf false
start_uvsd "$CONF" || { fail "uvsd starts"; finish; }
start_stream "http://$VIP/"

# === 1. expire_nodest_conn = false: delete the real server carrying a download, re-add it.
echo "--- expire_nodest_conn = false, uvsadm -d of the carrying real server"
start_pair d1 d2 45000 45001
dropped_before=$(counter real_unavailable)
uvsadm -d -t $VIP:80 -r 10.0.2.11:80
check "RS1 is gone from port 80 in -Ln" not_listed "10.0.2.11:80 " -t $VIP:80
check "d1 stalls (its client's packets are dropped)" wait_until 20 stalled d1
check "... and stays stalled" stalled d1
check "its entry stays in -Lnc, to RS1 still" on_real 45000 10.0.2.11
check "the drops are counted as real_unavailable" \
  test "$(counter real_unavailable)" -gt "$dropped_before"
check "the download on RS2 goes on meanwhile" grows d2
stalled_at=$(bytes d1)
echo "d1 stalled at $stalled_at of $SIZE bytes"
check "d1 had not finished" test "$stalled_at" -lt $SIZE
uvsadm -a -t $VIP:80 -r 10.0.2.11:80 -m -w 0
check "re-added, RS1 revives the entry and the download resumes" wait_until 30 grows d1
check "d1 finishes" wait_until 60 finished d1
check "d1 arrived intact (curl exit $(rc_of d1))" intact d1
check "d2 finishes" wait_until 60 finished d2
check "d2, on RS2 throughout, arrived intact (curl exit $(rc_of d2))" intact d2

# === 2. expire_nodest_conn = false: delete the service carrying a download, re-create it.
echo "--- expire_nodest_conn = false, uvsadm -D of the carrying service"
download d3 8080 45002
check "d3 runs on RS1 through port 8080" wait_until 10 on_real 45002 10.0.2.11
wait_until 10 at_least d3 1000000
dropped_before=$(counter real_unavailable)
uvsadm -D -t $VIP:8080
check "the service is gone from -Ln" not_listed ":8080 "
check "d3 stalls" wait_until 20 stalled d3
check "d3's entry stays in -Lnc" on_real 45002 10.0.2.11
check "the drops are counted as real_unavailable" \
  test "$(counter real_unavailable)" -gt "$dropped_before"
check "d3 had not finished" test "$(bytes d3)" -lt $SIZE
uvsadm -A -t $VIP:8080 -s rr
uvsadm -a -t $VIP:8080 -r 10.0.2.11:80 -m
check "service and real server re-created, d3 resumes" wait_until 30 grows d3
check "d3 finishes" wait_until 60 finished d3
check "d3 arrived intact (curl exit $(rc_of d3))" intact d3

# === 3. expire_nodest_conn = true (reload): the same deletions expire the connections.
echo "--- expire_nodest_conn = true, uvsadm -d of the carrying real server"
write_conf true
reload_uvsd
check "the reload is logged" grep -q "reloaded $CONF" "$UVS_TMP/uvsd.log"
check "RS1 back at weight 1, RS2 at 0" \
  bash -c "'$UVSADM' --socket '$UVS_SOCKET_PATH' -Ln | grep -q '10.0.2.11:80 .*Masq    1 ' &&
           '$UVSADM' --socket '$UVS_SOCKET_PATH' -Ln | grep -q '10.0.2.12:80 .*Masq    0 '"
# The client gives up after 3 s below 1 kB/s: the stall the deletion causes.
start_pair d4 d5 45003 45004 --speed-limit 1000 --speed-time 3
passed_before=$(counter not_vip)
resets_before=$(counter tcp_resets_sent)
uvsadm -d -t $VIP:80 -r 10.0.2.11:80
check "d4's entry is expired at once (gone from -Lnc)" wait_until 5 no_entry 45003
check "d4's client stops" wait_until 30 finished d4
check "d4 ended with curl exit 28 (stalled) or 56 (reset) (got $(rc_of d4))" \
  test "$(rc_of d4)" = 28 -o "$(rc_of d4)" = 56
check "uvsd reset its segments after the expiry (tcp_resets_sent)" \
  wait_until 5 counter_above tcp_resets_sent "$resets_before"
check "d4 got part of the file only ($(bytes d4) bytes)" test "$(bytes d4)" -lt $SIZE
check "the server's segments found no entry and were left to the kernel (not_vip)" \
  test "$(counter not_vip)" -gt "$passed_before"
check "d5 finishes" wait_until 60 finished d5
check "d5, on RS2 throughout, arrived intact (curl exit $(rc_of d5))" intact d5

echo "--- expire_nodest_conn = true, uvsadm -D of the carrying service"
download d6 8080 45005 --speed-limit 1000 --speed-time 3
check "d6 runs on RS1 through port 8080" wait_until 10 on_real 45005 10.0.2.11
# A client connected to the same service that sends its request only after the deletion.
bg client "$UVS_TMP/late.log" python3 -c "
import os, socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('10.0.1.2', 45006))
s.connect(('$VIP', 8080))
open('$UVS_TMP/late.ready', 'w').close()
while not os.path.exists('$UVS_TMP/late.go'):
    time.sleep(0.05)
s.settimeout(5)
try:
    s.sendall(b'GET /index.html HTTP/1.0\\r\\n\\r\\n')
    word = 'answered' if s.recv(100) else 'closed'
except ConnectionResetError:
    word = 'reset'
except OSError:
    word = 'silent'
open('$UVS_TMP/late.out', 'w').write(word)
"
check "the late client is connected" wait_until 10 test -e "$UVS_TMP/late.ready"
check "its entry is there" wait_until 5 has_entry 45006
wait_until 10 at_least d6 1000000
uvsadm -D -t $VIP:8080
check "d6's entry is expired at once" wait_until 5 no_entry 45005
check "so is the late client's" wait_until 5 no_entry 45006
touch "$UVS_TMP/late.go"
check "the late client's request is reset by uvsd, as by an IPVS director's stack" \
  wait_until 10 grep -qx reset "$UVS_TMP/late.out"
check "d6's client stops" wait_until 30 finished d6
check "d6 ended with exit 28 or 56 (got $(rc_of d6))" test "$(rc_of d6)" = 28 -o "$(rc_of d6)" = 56
check "d6 got part of the file only ($(bytes d6) bytes)" test "$(bytes d6)" -lt $SIZE

# --- the stream, which ran on RS2 (and RS1 before each quiesce) the whole time.
stop_stream 50
if [[ $FAILURES -ne 0 ]]; then
  uvsadm -Ln
  uvsadm -Lnc
  uvsadm --counters
  echo "--- uvsd log"
  cat "$UVS_TMP/uvsd.log"
fi
finish
