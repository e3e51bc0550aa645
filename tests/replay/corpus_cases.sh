# shellcheck shell=bash disable=SC2034
# corpus_cases.sh — the captured cases of the replay corpus (sourced by capture_case.sh).
#
# One function per case, case_<name with _ for ->: it says what the case proves (describe), builds
# its topology, writes its services (config), runs real servers and clients between
# begin_capture and end_capture, then checks the offline decision trace against the reference
# (ipvs-semantics.md; the vectors are cited by name: R1, W1, L2, SH1, MH1, T2, F7, P2, ...).
# In the checks rs<i> is 172.16.0.<i+1>. Configuration order matters: IPVS keeps real servers
# newest first, so the list order the vectors speak of is the reverse of the file order.
# Helpers are capture_case.sh's.

CORPUS_CASES=(
  nat-http-rr
  nat-tcp-portmap-client-close
  nat-tcp-timewait-reuse
  nat-tcp-idle-expiry
  nat-udp-rr-nocsum
  nat-udp-expiry-resched
  nat-wrr
  nat-lc
  nat-wlc
  nat-sed
  nat-nq
  nat-ovf-no-server
  nat-fo
  nat-twos
  nat-sh
  nat-sh-flags
  nat-mh
  nat-dh-fwmark
  nat-lblc-fwmark
  nat-lblcr-fwmark
  nat-no-real-server
  nat-persist-ppc-netmask
  nat-persist-pcc
  nat-persist-fwmark
  nat-persist-udp-expiry
  nat-malformed
  nat-arp-late-real
  nat-arp-timeout
  nat-icmp-related
  nat-ttl-echo
  nat-frag-needed
  nat-fragments
  nat-jumbo-oversize
  dr-http-udp
  dr-frag-needed
  tun-ipip
  tun-gue-nocsum
  tun-gue-csum
  tun-gre-nocsum
  tun-gre-csum
  tun-icmp-relay
)

# ---------------------------------------------------------------------------------------------
# Configuration snippets (TOML on stdout; pipe the whole into `config`).

daemon() {  # the [daemon] table of every case
  printf '[daemon]\ninterfaces = ["eth0", "eth1"]\nconn_max = 4096\n'
}
timeouts() {  # timeouts "tcp = 2" ...
  printf '\n[timeouts]\n'
  printf '%s\n' "$@"
}
service() {  # service PROTO ADDR:PORT SCHEDULER [key = value...]
  printf '\n[[service]]\nprotocol = "%s"\naddress = "%s"\nscheduler = "%s"\n' "$1" "$2" "$3"
  shift 3
  [ $# -eq 0 ] || printf '%s\n' "$@"
}
fwmark_service() {  # fwmark_service MARK SCHEDULER [key = value...]
  printf '\n[[service]]\nfwmark = %s\nscheduler = "%s"\n' "$1" "$2"
  shift 2
  [ $# -eq 0 ] || printf '%s\n' "$@"
}
mark() {  # mark MARK PROTOCOL ADDRESS [PORTS]
  printf '\n[[mark]]\nmark = %s\nprotocol = "%s"\naddress = "%s"\n' "$1" "$2" "$3"
  [ -z "${4:-}" ] || printf 'ports = %s\n' "$4"
}
real() {  # real ADDR[:PORT] FORWARD [key = value...]
  printf '\n  [[service.real]]\n  address = "%s"\n  forward = "%s"\n' "$1" "$2"
  shift 2
  local kv
  for kv in "$@"; do printf '  %s\n' "$kv"; done
}

# Servers on every real server of the topology: NAME is RS<i>.
all_rs() {  # all_rs KIND PORT [args...] (KIND: tcp_server, tcp_sink, udp_srv, http_server)
  local kind=$1 port=$2 i
  shift 2
  for i in $(seq 1 "$N_RS"); do
    if [ "$kind" = http_server ]; then
      http_server "rs$i" "RS$i"
    else
      "$kind" "rs$i" "$port" "RS$i" "$@"
    fi
  done
  local proto=tcp
  [ "$kind" = udp_srv ] && proto=udp
  for i in $(seq 1 "$N_RS"); do wait_listening "rs$i" "$proto" "$port"; done
}
# names_as_rs "RS2 RS1 refused": the client's view in the trace's words ("rs2 rs1 none").
# forget_pmtu: the client's kernel forgets the path MTUs it learnt (the next part of a case
# must meet the director's limit itself).
forget_pmtu() { ip -n "$(ns client)" route flush cache; }
names_as_rs() { echo "$1" | sed 's/RS\([0-9]\)[^ ]*/rs\1/g; s/refused/none/g'; }

# ---------------------------------------------------------------------------------------------
# NAT, TCP

case_nat_http_rr() {
  describe "NAT TCP through rr (R1): four curl requests go to rs2, rs1, rs2, rs1 (rr starts at the newest real server); uvsd answers the client's ARP for the VIP, resolves each real server by ARP while the first SYN waits, and every connection runs from handshake to close with the server closing first (SYN_RECV, ESTABLISHED, FIN_WAIT, TIME_WAIT: T2); replies leave with the VIP as source and every TTL drops by one."
  topo_nat 2
  all_rs http_server 80
  { daemon; service tcp "$VIP:80" rr; real 172.16.0.2:80 nat; real 172.16.0.3:80 nat; } | config
  begin_capture eth0 eth1 || return
  local got=()
  for _ in 1 2 3 4; do got+=("$(http_get "http://$VIP/")"); done
  end_capture || return
  is "the client got the pages of" "${got[*]}" "RS2 RS1 RS2 RS1"
  is "rr schedules (R1)" "$(scheduled)" "rs2 rs1 rs2 rs1"
  is "no frame dropped" "$(count verdict dropped)" 0
  expect "the server's FIN moves ESTABLISHED to FIN_WAIT, the client's to TIME_WAIT (T2)" \
    grep -q 'ESTABLISHED>FIN_WAIT.*FIN_WAIT>TIME_WAIT' <<<"$(states)"
  is "uvsd answered one ARP request for the VIP" \
    "$(out_frames eth0 "arp and arp[6:2] == 2 and src host $VIP")" 1
  is "replies leave from the VIP:80" "$(out_frames eth0 "tcp and src host $VIP and src port 80")" \
    "$(out_frames eth0 tcp)"
}

case_nat_tcp_portmap_client_close() {
  describe "NAT TCP with port mapping (F1): the service 207.175.44.110:8080 forwards to 172.16.0.2:9090; the SYN reaches the real server with destination port 9090, the replies leave as 207.175.44.110:8080; the client closes first, so the connection runs SYN_RECV, ESTABLISHED, CLOSE_WAIT, TIME_WAIT (T1)."
  topo_nat 1
  all_rs tcp_server 9090
  { daemon; service tcp "$VIP:8080" rr; real 172.16.0.2:9090 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-hold --dst "$VIP:8080" --count 2 --hold 0.3)
  end_capture || return
  is "the client reached" "$got" "RS1 RS1"
  is "every frame to the real server goes to port 9090" \
    "$(out_frames eth1 "tcp and dst host 172.16.0.2 and dst port 9090")" "$(out_frames eth1 tcp)"
  is "every reply leaves from port 8080 of the VIP" \
    "$(out_frames eth0 "tcp and src host $VIP and src port 8080")" "$(out_frames eth0 tcp)"
  expect "client close: ESTABLISHED -> CLOSE_WAIT -> TIME_WAIT (T1)" \
    grep -q 'ESTABLISHED>CLOSE_WAIT.*CLOSE_WAIT>TIME_WAIT' <<<"$(states)"
}

case_nat_tcp_timewait_reuse() {
  describe "NAT TCP port reuse (T6, conn_reuse_mode 1): the client connects three times from source port 40000; the server closes first, so uvsd's entry is in TIME_WAIT when the next SYN with the same ports arrives: the old entry is expired and rr schedules the SYN afresh (rs2, rs1, rs2)."
  topo_nat 2
  all_rs http_server 80
  { daemon; service tcp "$VIP:80" rr; real 172.16.0.2:80 nat; real 172.16.0.3:80 nat; } | config
  begin_capture eth0 eth1 || return
  local got=()
  for _ in 1 2 3; do
    got+=("$(http_get --local-port 40000 "http://$VIP/")")
    sleep 0.2
  done
  end_capture || return
  is "the client got the pages of" "${got[*]}" "RS2 RS1 RS2"
  is "three new connections, scheduled by rr" "$(scheduled)" "rs2 rs1 rs2"
  is "all three SYNs came from port 40000" \
    "$(tcpdump -r "$CASE_DIR/in-eth0.pcap" -n 'tcp[tcpflags] = tcp-syn and src port 40000' 2>/dev/null | wc -l)" 3
  is "each earlier entry was in TIME_WAIT (120 s) when the next SYN came" \
    "$(states | grep -o 'FIN_WAIT>TIME_WAIT' | wc -l)" 3
}

case_nat_tcp_idle_expiry() {
  describe "NAT TCP idle timeout inside the capture ([timeouts] tcp = 2): an established connection stays idle 3 s, its entry expires, and the client's next segment finds no connection: it is not a SYN, so nothing reaches the real server (T9) and uvsd answers with an RST from the VIP, as the director's own stack does under IPVS."
  topo_nat 1
  all_rs tcp_server 80
  { daemon; timeouts "tcp = 2"; service tcp "$VIP:80" rr; real 172.16.0.2:80 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-idle --dst "$VIP:80" --idle 3)
  end_capture || return
  is "the client got the name, then a reset" "$got" "RS1 reset"
  expect "the segment after the expiry is answered for want of a connection (not_syn)" \
    test "$(count pass not_syn)" -ge 1
  expect "with an RST from the VIP" \
    test "$(out_frames eth0 "src host $VIP and tcp[tcpflags] & tcp-rst != 0")" -ge 1
  is "only the first connection was ever scheduled" "$(scheduled)" "rs1"
  is "the late line never reaches the real server" \
    "$(out_frames eth1 'tcp and tcp[((tcp[12] & 0xf0) >> 2):4] = 0x6c617465')" 0
  is "nor does the client's reset" "$(out_frames eth1 'tcp[tcpflags] & tcp-rst != 0')" 0
}

# ---------------------------------------------------------------------------------------------
# NAT, UDP

case_nat_udp_rr_nocsum() {
  describe "NAT UDP through rr: four client ports are scheduled to rs2, rs1, rs2, rs1 and answered from the VIP; the last two datagrams are sent with UDP checksum 0 (SO_NO_CHECK) and reach the real servers with a correct non-zero checksum (F2), as do all answers; every entry is state UDP (T7)."
  topo_nat 2
  all_rs udp_srv 53
  { daemon; service udp "$VIP:53" rr; real 172.16.0.2:53 nat; real 172.16.0.3:53 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got="$(traffic udp-send --dst "$VIP:53" --sport 40000 --sport-step 1 --count 2) $(traffic udp-send --dst "$VIP:53" --sport 40002 --sport-step 1 --count 2 --nocsum)"
  end_capture || return
  is "the client's answers came from" "$got" "RS2/20 RS1/20 RS2/20 RS1/20"
  is "rr schedules" "$(scheduled)" "rs2 rs1 rs2 rs1"
  is "no datagram to a real server has checksum 0" \
    "$(out_frames eth1 'udp and udp[6:2] = 0')" 0
  is "every UDP checksum uvsd sent is correct" \
    "$(out_text eth1 -vv udp | grep -c 'udp sum ok')" "$(out_frames eth1 udp)"
  expect "entries are in state UDP" test "$(count state_after UDP)" -ge 8
}

case_nat_udp_expiry_resched() {
  describe "NAT UDP timeout inside the capture ([timeouts] udp = 2, T7): a client port is scheduled to rs2 and answered, stays idle 3 s so its entry expires, then sends again from the same port: a new connection, which rr gives to rs1."
  topo_nat 2
  all_rs udp_srv 53
  { daemon; timeouts "udp = 2"; service udp "$VIP:53" rr; real 172.16.0.2:53 nat; real 172.16.0.3:53 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic udp-send --dst "$VIP:53" --sport 40000 --count 2 --gap 3)
  end_capture || return
  is "the client's answers came from" "$got" "RS2/20 RS1/20"
  is "two new connections for the same ports" "$(scheduled)" "rs2 rs1"
}

# ---------------------------------------------------------------------------------------------
# Schedulers (NAT TCP; tcp-hold keeps every connection open until the last one is made, so the
# connection counts the least-connection family reads are those of the vectors)

case_nat_wrr() {
  describe "wrr from a fresh service (W1): list [rs1 w3, rs2 w1] (rs2 configured first); 16 connections go rs1 rs2 rs1 rs1 rs1 rs2 rs1 rs1 rs1 rs2 rs1 rs1 rs1 rs2 rs1 rs1 (the first round at cw = 1, then the cycle from the maximum weight)."
  topo_nat 2
  all_rs tcp_server 80
  { daemon; service tcp "$VIP:80" wrr; real 172.16.0.3:80 nat "weight = 1"; real 172.16.0.2:80 nat "weight = 3"; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-hold --dst "$VIP:80" --count 16 --hold 0.2 --gap 0.02)
  end_capture || return
  local want="rs1 rs2 rs1 rs1 rs1 rs2 rs1 rs1 rs1 rs2 rs1 rs1 rs1 rs2 rs1 rs1"
  is "wrr picks (W1)" "$(scheduled)" "$want"
  is "the live daemon chose the same" "$(names_as_rs "$got")" "$want"
}

least_conn_case() {  # least_conn_case SCHEDULER "expected picks": list [rs1 w1, rs2 w3], 8 held
  topo_nat 2
  all_rs tcp_server 80
  { daemon; service tcp "$VIP:80" "$1"; real 172.16.0.3:80 nat "weight = 3"; real 172.16.0.2:80 nat "weight = 1"; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-hold --dst "$VIP:80" --count 8 --hold 0.3)
  end_capture || return
  is "$1 picks" "$(scheduled)" "$2"
  is "the live daemon chose the same" "$(names_as_rs "$got")" "$2"
}
case_nat_lc() {
  describe "lc (L4): list [rs1 w1, rs2 w3], eight connections held open: rs1 rs2 rs1 rs2 rs1 rs2 rs1 rs2 (weights ignored, ties to the first in list order)."
  least_conn_case lc "rs1 rs2 rs1 rs2 rs1 rs2 rs1 rs2"
}
case_nat_wlc() {
  describe "wlc (L2): list [rs1 w1, rs2 w3], eight connections held open: rs1 rs2 rs2 rs2 rs1 rs2 rs2 rs2 (overhead*weight cross products, ties to the first in list order)."
  least_conn_case wlc "rs1 rs2 rs2 rs2 rs1 rs2 rs2 rs2"
}
case_nat_sed() {
  describe "sed (L5): list [rs1 w1, rs2 w3], eight connections held open: rs2 rs2 rs1 rs2 rs2 rs2 rs1 rs2 ((active+1)/weight)."
  least_conn_case sed "rs2 rs2 rs1 rs2 rs2 rs2 rs1 rs2"
}
case_nat_nq() {
  describe "nq (L6): list [rs1 w1, rs2 w3], eight connections held open: rs1 rs2 rs2 rs2 rs2 rs2 rs1 rs2 (an idle server first, then the sed rule)."
  least_conn_case nq "rs1 rs2 rs2 rs2 rs2 rs2 rs1 rs2"
}

case_nat_ovf_no_server() {
  describe "ovf (L8) up to no server at all: list [rs1 w3, rs2 w2], connections held open: rs1 takes weight+1 = 4, rs2 3, and the eighth SYN finds no candidate: uvsd answers it with ICMP port unreachable (type 3 code 3, reference 1.3) and the client's connect() is refused."
  topo_nat 2
  all_rs tcp_server 80
  { daemon; service tcp "$VIP:80" ovf; real 172.16.0.3:80 nat "weight = 2"; real 172.16.0.2:80 nat "weight = 3"; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-hold --dst "$VIP:80" --count 8 --hold 0.3)
  end_capture || return
  is "ovf picks" "$(scheduled)" "rs1 rs1 rs1 rs1 rs2 rs2 rs2 none"
  is "the client saw" "$got" "RS1 RS1 RS1 RS1 RS2 RS2 RS2 refused"
  is "one drop for no_real_available" "$(trace_drop no_real_available)" 1
  is "one ICMP port unreachable from the VIP" \
    "$(out_frames eth0 "icmp and src host $VIP and icmp[0] = 3 and icmp[1] = 3")" 1
}

case_nat_fo() {
  describe "fo (L9): list [rs1 w1, rs2 w5, rs3 w5]: every connection goes to rs2, the first of the highest weights in list order, however many are open."
  topo_nat 3
  all_rs tcp_server 80
  { daemon; service tcp "$VIP:80" fo; real 172.16.0.4:80 nat "weight = 5"; real 172.16.0.3:80 nat "weight = 5"; real 172.16.0.2:80 nat "weight = 1"; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-hold --dst "$VIP:80" --count 4 --hold 0.2)
  end_capture || return
  is "fo picks" "$(scheduled)" "rs2 rs2 rs2 rs2"
  is "the client saw" "$got" "RS2 RS2 RS2 RS2"
}

case_nat_twos() {
  describe "twos (2.9): list [rs1 w1, rs2 w2, rs3 w0], eight connections held open: the weight-0 server is never chosen; the random draws come from uvs's fixed seed, so the live daemon of the capture and the replay choose the same servers."
  topo_nat 3
  all_rs tcp_server 80
  { daemon; service tcp "$VIP:80" twos; real 172.16.0.4:80 nat "weight = 0"; real 172.16.0.3:80 nat "weight = 2"; real 172.16.0.2:80 nat "weight = 1"; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-hold --dst "$VIP:80" --count 8 --hold 0.3)
  end_capture || return
  local picks
  picks=$(scheduled)
  is "eight connections scheduled" "$(wc -w <<<"$picks")" 8
  expect "never the weight-0 rs3 ($picks)" bash -c "! grep -q rs3 <<<'$picks'"
  is "the live daemon chose the same" "$(names_as_rs "$got")" "$picks"
}

case_nat_sh() {
  describe "sh (SH1): rs1 then rs2 configured (list [rs2, rs1]: even buckets rs2, odd rs1); clients 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4 hash to buckets 39, 137, 235, 77 (rs1), 192.168.1.10 and 1.2.3.4 to 248 and 52 (rs2); a second connection from 10.0.0.1 lands on rs1 again."
  topo_nat 2
  all_rs tcp_server 80
  { daemon; service tcp "$VIP:80" sh; real 172.16.0.2:80 nat; real 172.16.0.3:80 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-hold --dst "$VIP:80" --src 10.0.0.1 --src 10.0.0.2 --src 10.0.0.3 \
    --src 10.0.0.4 --src 192.168.1.10 --src 1.2.3.4 --src 10.0.0.1 --hold 0.1)
  end_capture || return
  local want="" a
  for a in 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 192.168.1.10 1.2.3.4 10.0.0.1; do
    want+="$( (($(hash_bucket "$a") % 2)) && echo rs1 || echo rs2) "
  done
  is "sh picks (SH1, buckets from the reference's hash)" "$(scheduled)" "${want% }"
  is "the live daemon chose the same" "$(names_as_rs "$got")" "${want% }"
}

case_nat_sh_flags() {
  describe "sh flags: with sh-port (SH2) client 10.0.0.2 from ports 40000, 40001, 40002 hashes to buckets 45, 143, 241 (rs1); with rs1 at weight 0 (its buckets stay, SH4), port 81 (sh-fallback) sends 10.0.0.1, 10.0.0.2 and 192.168.1.10 to rs2, while port 82 (no fallback) refuses 10.0.0.1 with ICMP port unreachable and still sends 192.168.1.10 to rs2."
  topo_nat 2
  all_rs tcp_server 80
  {
    daemon
    service tcp "$VIP:80" sh 'flags = ["sh-port"]'
    real 172.16.0.2:80 nat
    real 172.16.0.3:80 nat
    service tcp "$VIP:81" sh 'flags = ["sh-fallback"]'
    real 172.16.0.2:80 nat "weight = 0"
    real 172.16.0.3:80 nat
    service tcp "$VIP:82" sh
    real 172.16.0.2:80 nat "weight = 0"
    real 172.16.0.3:80 nat
  } | config
  begin_capture eth0 eth1 || return
  local p80 p81 p82
  p80=$(traffic tcp-hold --dst "$VIP:80" --src 10.0.0.2 --sport 40000 --count 3 --hold 0.1)
  p81=$(traffic tcp-hold --dst "$VIP:81" --src 10.0.0.1 --src 10.0.0.2 --src 192.168.1.10 --hold 0.1)
  p82=$(traffic tcp-hold --dst "$VIP:82" --src 10.0.0.1 --src 192.168.1.10 --hold 0.1)
  end_capture || return
  local want80="" p
  for p in 40000 40001 40002; do
    want80+="$( (($(hash_bucket 10.0.0.2 "$p") % 2)) && echo rs1 || echo rs2) "
  done
  is "sh-port picks (SH2)" "$(scheduled "TCP $VIP:80")" "${want80% }"
  is "sh-fallback picks (SH4)" "$(scheduled "TCP $VIP:81")" "rs2 rs2 rs2"
  is "no fallback: the quiesced bucket has no server (SH4)" "$(scheduled "TCP $VIP:82")" "none rs2"
  is "the client saw" "$p80 / $p81 / $p82" "RS1 RS1 RS1 / RS2 RS2 RS2 / refused RS2"
}

case_nat_mh() {
  describe "mh (MH1, MH2): rs1, rs2, rs3 (172.16.0.2-4:80) configured in that order; port 80 sends 10.0.0.1 and 10.0.0.2 to rs1, 10.0.0.3 and 192.168.1.10 to rs3 (slots 3711, 1884, 3741, 3323 of 4093); port 81 with mh-port sends 10.0.0.2 from ports 40000, 40001, 40002 to rs3, rs2, rs2."
  topo_nat 3
  all_rs tcp_server 80
  {
    daemon
    service tcp "$VIP:80" mh
    real 172.16.0.2:80 nat
    real 172.16.0.3:80 nat
    real 172.16.0.4:80 nat
    service tcp "$VIP:81" mh 'flags = ["mh-port"]'
    real 172.16.0.2:80 nat
    real 172.16.0.3:80 nat
    real 172.16.0.4:80 nat
  } | config
  begin_capture eth0 eth1 || return
  local p80 p81
  p80=$(traffic tcp-hold --dst "$VIP:80" --src 10.0.0.1 --src 10.0.0.2 --src 10.0.0.3 --src 192.168.1.10 --hold 0.1)
  p81=$(traffic tcp-hold --dst "$VIP:81" --src 10.0.0.2 --sport 40000 --count 3 --hold 0.1)
  end_capture || return
  is "mh picks (MH1)" "$(scheduled "TCP $VIP:80")" "rs1 rs1 rs3 rs3"
  is "mh-port picks (MH2)" "$(scheduled "TCP $VIP:81")" "rs3 rs2 rs2"
  is "the client saw" "$p80 / $p81" "RS1 RS1 RS3 RS3 / RS3 RS2 RS2"
}

# Destination-keyed schedulers serve many destinations: a firewall-mark service over
# 207.175.44.0/24 port 80 (the client routes that network through the director).
case_nat_dh_fwmark() {
  describe "dh over a firewall-mark service (2.11): [[mark]] 1 = TCP to 207.175.44.0/24 port 80; rs1 then rs2 configured (one bucket each per round: even buckets rs2, odd rs1); destinations .111 to .114 go where hash_32 of the destination puts them, from any client; replies leave from the address the client asked for."
  topo_nat 2
  all_rs tcp_server 80
  { daemon; mark 1 tcp 207.175.44.0/24 '["80"]'; fwmark_service 1 dh; real 172.16.0.2 nat; real 172.16.0.3 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-hold --dst 207.175.44.111:80 --dst 207.175.44.112:80 --dst 207.175.44.113:80 \
    --dst 207.175.44.114:80 --dst 207.175.44.111:80 --src 10.0.0.2 --src 10.0.0.2 --src 10.0.0.2 \
    --src 10.0.0.2 --src 10.0.0.3 --hold 0.1)
  end_capture || return
  local want="" d
  for d in 111 112 113 114 111; do
    want+="$( (($(hash_bucket "207.175.44.$d") % 2)) && echo rs1 || echo rs2) "
  done
  is "dh picks (buckets from the reference's hash)" "$(scheduled)" "${want% }"
  is "the live daemon chose the same" "$(names_as_rs "$got")" "${want% }"
  is "replies leave from the destinations the client used" \
    "$(out_frames eth0 'tcp and src net 207.175.44.0/24 and src port 80 and not src host 207.175.44.110')" \
    "$(out_frames eth0 tcp)"
}

locality_case() {  # locality_case SCHEDULER "expected picks"
  topo_nat 2
  all_rs tcp_server 80
  { daemon; mark 1 tcp 207.175.44.0/24 '["80"]'; fwmark_service 1 "$1"; real 172.16.0.3 nat; real 172.16.0.2 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-hold --dst 207.175.44.111:80 --dst 207.175.44.111:80 --dst 207.175.44.111:80 \
    --dst 207.175.44.112:80 --dst 207.175.44.111:80 --dst 207.175.44.111:80 \
    --src 10.0.0.2 --src 10.0.0.3 --src 10.0.0.4 --src 10.0.0.2 --src 10.0.0.3 --src 10.0.0.4 \
    --hold 0.2)
  end_capture || return
  is "$1 picks" "$(scheduled)" "$2"
  is "the live daemon chose the same" "$(names_as_rs "$got")" "$2"
}
case_nat_lblc_fwmark() {
  describe "lblc (LB1, 2.13) over a firewall-mark service, list [rs1 w1, rs2 w1], connections held open: three clients to D1 = .111 get rs1, rs1 (cached although rs2 is idle), then rs2 (rs1 has 2 > weight active while rs2 has 2*0 < 1: overloaded, wlc, cache replaced); D2 = .112 gets rs2 by wlc; D1 twice more stays on rs2."
  locality_case lblc "rs1 rs1 rs2 rs2 rs2 rs2"
}
case_nat_lblcr_fwmark() {
  describe "lblcr (2.14) over a firewall-mark service, list [rs1 w1, rs2 w1], connections held open: D1 = .111 gets rs1, rs1, then rs2 added to its set {rs2, rs1} (the kernel inserts at the head); D2 gets rs2; D1 then gets the least loaded member: rs2 on a tie (head first), then rs1 — unlike lblc, which stays on its single cached server."
  locality_case lblcr "rs1 rs1 rs2 rs2 rs2 rs1"
}

case_nat_no_real_server() {
  describe "No real server available (1.3, F9, R2): a TCP service with scheduler none and a UDP service whose real servers all have weight 0; a SYN and a datagram are each answered by uvsd with ICMP port unreachable from the VIP quoting them, no connection is created, and the client's sockets report the refusal."
  topo_nat 2
  all_rs tcp_server 80
  {
    daemon
    service tcp "$VIP:80" none
    real 172.16.0.2:80 nat
    service udp "$VIP:53" rr
    real 172.16.0.2:53 nat "weight = 0"
    real 172.16.0.3:53 nat "weight = 0"
  } | config
  begin_capture eth0 eth1 || return
  local tcp udp
  tcp=$(traffic tcp-hold --dst "$VIP:80" --count 1 --hold 0)
  udp=$(traffic udp-send --dst "$VIP:53")
  end_capture || return
  is "the client saw" "$tcp $udp" "refused refused"
  is "both scheduling attempts found no server" "$(scheduled)" "none none"
  is "no new connection" "$(count new_connection true)" 0
  is "two ICMP port unreachable from the VIP" \
    "$(out_frames eth0 "icmp and src host $VIP and icmp[0] = 3 and icmp[1] = 3")" 2
  is "nothing reached the real servers" "$(out_frames eth1 'not arp')" 0
}

# ---------------------------------------------------------------------------------------------
# Persistence

case_nat_persist_ppc_netmask() {
  describe "Persistent port service (PPC, P2, P3): rr with persistence 60 and netmask 255.255.255.0; client 10.0.0.2 opens three connections, all to rs2 (a template created, then used); 10.0.0.3 is in the same /24 and follows the template too; 192.168.1.10 and 1.2.3.4 each get a template of their own from rr (rs1, then rs2)."
  topo_nat 2
  all_rs tcp_server 80
  { daemon; service tcp "$VIP:80" rr "persistence = 60" 'netmask = "255.255.255.0"'; real 172.16.0.2:80 nat; real 172.16.0.3:80 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-hold --dst "$VIP:80" --src 10.0.0.2 --src 10.0.0.2 --src 10.0.0.2 \
    --src 10.0.0.3 --src 192.168.1.10 --src 1.2.3.4 --hold 0.1)
  end_capture || return
  is "persistence picks" "$(scheduled)" "rs2 rs2 rs2 rs2 rs1 rs2"
  is "templates" "$(templates)" "created used used used created created"
  is "the client saw" "$got" "RS2 RS2 RS2 RS2 RS1 RS2"
}

case_nat_persist_pcc() {
  describe "Persistent client connection (PCC, P6): the service 207.175.44.110:0 (every port) with rr and persistence 100, real servers without ports; client 10.0.0.2 connects to ports 80, 8080 and 80 again, all to rs2 with the destination ports unchanged; client 10.0.0.3 gets rs1 for port 8080."
  topo_nat 2
  all_rs tcp_server 80
  local i
  for i in 1 2; do tcp_server "rs$i" 8080 "RS$i"; wait_listening "rs$i" tcp 8080; done
  { daemon; service tcp "$VIP:0" rr "persistence = 100"; real 172.16.0.2 nat; real 172.16.0.3 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-hold --dst "$VIP:80" --dst "$VIP:8080" --dst "$VIP:80" --dst "$VIP:8080" \
    --src 10.0.0.2 --src 10.0.0.2 --src 10.0.0.2 --src 10.0.0.3 --hold 0.1)
  end_capture || return
  is "persistence picks" "$(scheduled)" "rs2 rs2 rs2 rs1"
  is "templates" "$(templates)" "created used used created"
  is "the client saw" "$got" "RS2 RS2 RS2 RS1"
  is "ports are kept: SYNs to the real servers go to 80 and 8080" \
    "$(out_text eth1 'tcp[tcpflags] & tcp-syn != 0' | grep -o '> 172.16.0.[23].[0-9]*' | tr '\n' ' ')" \
    "> 172.16.0.3.80 > 172.16.0.3.8080 > 172.16.0.3.80 > 172.16.0.2.8080 "
}

case_nat_persist_fwmark() {
  describe "Firewall-mark persistence (P7): [[mark]] 1 = TCP port 80 and UDP port 53 of the VIP; the fwmark service (rr, persistence 60) sends client 10.0.0.2's TCP connection and UDP datagram to the same real server (rs2: one template across protocols), client 10.0.0.3 to rs1."
  topo_nat 2
  all_rs tcp_server 80
  local i
  for i in 1 2; do udp_srv "rs$i" 53 "RS$i"; wait_listening "rs$i" udp 53; done
  { daemon; mark 1 tcp "$VIP" '["80"]'; mark 1 udp "$VIP" '["53"]'; fwmark_service 1 rr "persistence = 60"; real 172.16.0.2 nat; real 172.16.0.3 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got="$(traffic tcp-hold --dst "$VIP:80" --src 10.0.0.2 --hold 0.1) $(traffic udp-send --dst "$VIP:53" --src 10.0.0.2) $(traffic udp-send --dst "$VIP:53" --src 10.0.0.3) $(traffic tcp-hold --dst "$VIP:80" --src 10.0.0.3 --hold 0.1)"
  end_capture || return
  is "persistence picks" "$(scheduled)" "rs2 rs2 rs1 rs1"
  is "templates" "$(templates)" "created used created used"
  is "the client saw" "$got" "RS2 RS2/20 RS1/20 RS1"
}

case_nat_persist_udp_expiry() {
  describe "A persistence template expiring inside the capture (4.2): UDP service, rr, persistence 2, [timeouts] udp = 1; client ports 40000 and 40001 go to rs2 (template created, then used); 4 s later both connections and the template have expired, and port 40002 is scheduled afresh by rr: rs1."
  topo_nat 2
  all_rs udp_srv 53
  { daemon; timeouts "udp = 1"; service udp "$VIP:53" rr "persistence = 2"; real 172.16.0.2:53 nat; real 172.16.0.3:53 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got="$(traffic udp-send --dst "$VIP:53" --sport 40000 --sport-step 1 --count 2)"
  sleep 4
  got+=" $(traffic udp-send --dst "$VIP:53" --sport 40002)"
  end_capture || return
  is "persistence picks" "$(scheduled)" "rs2 rs2 rs1"
  is "templates" "$(templates)" "created used created"
  is "the client saw" "$got" "RS2/20 RS2/20 RS1/20"
}

# ---------------------------------------------------------------------------------------------
# Malformed frames, ARP, ICMP

case_nat_malformed() {
  describe "Malformed and truncated frames written onto the client's link (AF_PACKET): a short ARP, ARP for another hardware type, a cut IPv4 header, version 6 behind the IPv4 ethertype, IHL 4, a total length past the frame, a wrong header checksum, a cut TCP header, a UDP length past the datagram, a cut ICMP header and an ICMP error quoting 6 bytes: each is dropped and counted under its own reason (the trace says which, and the live daemon counted the same); the well-formed datagram after them is forwarded and answered. (A frame shorter than an Ethernet header cannot be sent and a cut 802.1Q tag never reaches a packet socket: the packet tests cover eth_truncated and vlan_truncated.)"
  topo_nat 1
  all_rs udp_srv 53
  { daemon; service udp "$VIP:53" rr; real 172.16.0.2:53 nat; } | config
  begin_capture eth0 eth1 || return
  nsx client python3 "$TRAFFIC" frames --iface eth0 --dst-mac "$DIR_MAC0" --src-mac "$CLIENT_MAC" \
    --src 10.0.0.2 --dst "$VIP" --dport 53 malformed >/dev/null
  end_capture || return
  local r
  for r in arp_truncated arp_malformed ip_truncated ip_bad_version ip_bad_ihl \
    ip_bad_total_length ip_bad_checksum tcp_truncated udp_truncated icmp_truncated icmp_bad_inner; do
    is "one frame dropped for $r" "$(trace_drop "$r")" 1
    is "the live daemon counted $r alike" "$(live_counter "$r")" 1
  done
  is "the well-formed datagram was scheduled" "$(scheduled)" "rs1"
  is "and its answer left for the client" "$(out_frames eth0 "udp and src host $VIP")" 1
}

case_nat_arp_late_real() {
  describe "ARP resolution with retries: rs2's switch port is down when the first SYN is scheduled to it; uvsd parks the SYN (and the client's retransmission) and repeats its ARP request once a second; the port comes up after 1.5 s, the next request is answered and the parked SYNs go out; the connection completes."
  topo_nat 2
  all_rs http_server 80
  ip -n "$(ns switch)" link set p2 down
  { daemon; service tcp "$VIP:80" rr; real 172.16.0.2:80 nat; real 172.16.0.3:80 nat; } | config
  begin_capture eth0 eth1 || return
  nsx client curl -sS --max-time 8 "http://$VIP/" >"$UVS_TMP/late.out" 2>&1 &
  local curl_pid=$!
  sleep 1.5
  ip -n "$(ns switch)" link set p2 up
  wait_until 10 bash -c "! kill -0 $curl_pid 2>/dev/null"
  end_capture || return
  is "the client got the page of" "$(tr -d '\n' <"$UVS_TMP/late.out")" "RS2"
  is "scheduled once, to rs2" "$(scheduled)" "rs2"
  expect "uvsd asked for rs2 at least twice" \
    test "$(out_frames eth1 'arp and arp[6:2] = 1 and arp[24:4] = 0xac100003')" -ge 2
  expect "frames were parked while rs2 was unknown" test "$(count verdict queued)" -ge 1
}

case_nat_arp_timeout() {
  describe "ARP resolution that fails: the only real server 172.16.0.9 does not exist; the first SYN is parked, uvsd asks three times one second apart and then drops what waited (arp_timeout); the client's retransmitted SYNs start the next round of requests."
  topo_nat 1
  { daemon; service tcp "$VIP:80" rr; real 172.16.0.9:80 nat; } | config
  begin_capture eth0 eth1 || return
  nsx client curl -sS --max-time 4 "http://$VIP/" >/dev/null 2>&1
  end_capture || return
  is "scheduled to the missing server" "$(scheduled)" "rs8"
  expect "uvsd asked for it at least three times" \
    test "$(out_frames eth1 'arp and arp[6:2] = 1 and arp[24:4] = 0xac100009')" -ge 3
  is "nothing but ARP left on eth1" "$(out_frames eth1 'not arp')" 0
  expect "the live daemon counted arp_timeout drops" test "$(live_counter arp_timeout)" -ge 1
}

case_nat_icmp_related() {
  describe "ICMP errors related to NAT connections, both directions (5.5, F10): a datagram to port 54 is forwarded to rs1:5454 where nothing listens; rs1's port unreachable (quoting client -> 172.16.0.2:5454) leaves for the client from the VIP, quoting client -> VIP:54, and the client's socket reports the refusal; an answer from port 53 arrives after the client closed its socket, and the client's port unreachable (quoting VIP:53 -> client) reaches rs1 with the quote rewritten to 172.16.0.2:53."
  topo_nat 1
  udp_srv rs1 53 RS1 --delay 0.5
  wait_listening rs1 udp 53
  { daemon; service udp "$VIP:54" rr; real 172.16.0.2:5454 nat; service udp "$VIP:53" rr; real 172.16.0.2:53 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got="$(traffic udp-send --dst "$VIP:54" --sport 40000) $(traffic udp-send --dst "$VIP:53" --sport 40001 --close-early)"
  sleep 1
  end_capture || return
  is "the client saw" "$got" "refused sent"
  is "the real server's error left from the VIP" \
    "$(out_frames eth0 "icmp and src host $VIP and icmp[0] = 3 and icmp[1] = 3")" 1
  expect "quoting the VIP:54" grep -q "$VIP.54" <<<"$(out_text eth0 icmp)"
  is "the client's error reached rs1" \
    "$(out_frames eth1 'icmp and dst host 172.16.0.2 and icmp[0] = 3 and icmp[1] = 3')" 1
  expect "quoting 172.16.0.2:53" grep -q "172.16.0.2.53 > 10.0.0.2.40001" <<<"$(out_text eth1 icmp)"
}

case_nat_ttl_echo() {
  describe "TTL and echo (5.1, F8): a datagram that arrives with TTL 1 is dropped with ICMP time exceeded (11/0) to the client, which its socket reports; the same datagram with TTL 64 is forwarded with TTL 63; ICMP echo requests to the VIP are answered by uvsd itself."
  topo_nat 1
  all_rs udp_srv 53
  { daemon; service udp "$VIP:53" rr; real 172.16.0.2:53 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got="$(traffic udp-send --dst "$VIP:53" --sport 40000 --ttl 1) $(traffic udp-send --dst "$VIP:53" --sport 40000 --ttl 64) $(traffic echo --dst "$VIP" --count 2)"
  end_capture || return
  is "the client saw" "$got" "ttl RS1/20 reply reply"
  is "one drop for ttl_exceeded" "$(trace_drop ttl_exceeded)" 1
  is "one time exceeded to the client" "$(out_frames eth0 'icmp and icmp[0] = 11 and icmp[1] = 0')" 1
  is "two echo replies from the VIP" "$(out_frames eth0 "icmp and src host $VIP and icmp[0] = 0")" 2
  expect "the forwarded datagram has TTL 63" grep -q 'ttl 63' <<<"$(out_text eth1 udp)"
}

# ---------------------------------------------------------------------------------------------
# MTU, fragments, oversize frames

case_nat_frag_needed() {
  describe "Frag-needed through NAT (5.1, F7): the director's routes to the real servers have MTU 1000 (mtu lock); a 1200-byte UDP datagram with DF gets ICMP frag-needed with MTU 1000 (the client's socket reports EMSGSIZE and learns the path MTU); the same without DF is forwarded as two fragments; a 20000-byte TCP upload starts with 1500-byte segments, is told 1000, and completes with smaller ones."
  topo_nat 1
  tcp_sink rs1 80 RS1
  wait_listening rs1 tcp 80
  udp_srv rs1 53 RS1
  wait_listening rs1 udp 53
  dir_route 172.16.0.2/32 dev eth1 mtu lock 1000
  { daemon; service tcp "$VIP:80" rr; real 172.16.0.2:80 nat; service udp "$VIP:53" rr; real 172.16.0.2:53 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  # The client's kernel remembers a learnt path MTU per destination: forget it before each part.
  got="$(traffic udp-send --dst "$VIP:53" --sport 40000 --size 1200 --df)"
  forget_pmtu
  got+=" $(traffic udp-send --dst "$VIP:53" --sport 40001 --size 1200 --nodf)"
  forget_pmtu
  got+=" $(traffic tcp-upload --dst "$VIP:80" --bytes 20000)"
  end_capture || return
  is "the client saw" "$got" "msgsize-1000 RS1/1204 RS1 got 20000"
  expect "frag-needed with MTU 1000 to the client" \
    test "$(out_text eth0 'icmp and icmp[0] = 3 and icmp[1] = 4' | grep -c 'mtu 1000')" -ge 2
  expect "drops for frag_needed" test "$(trace_drop frag_needed)" -ge 2
  is "nothing larger than 1000 bytes of IP went to rs1" "$(out_frames eth1 'greater 1015')" 0
  expect "the non-DF datagram went out in fragments" \
    test "$(out_frames eth1 'udp or (ip[6:2] & 0x1fff != 0)' )" -ge 2
}

case_nat_fragments() {
  describe "Fragments (5.1): a 3000-byte UDP datagram without DF arrives in three fragments, is reassembled, NATed and refragmented for the route's MTU 600 towards rs1; rs1's 3004-byte answer arrives in three fragments, is reassembled, un-NATed and refragmented for eth0's 1500; then a datagram whose second fragment overlaps the first is dropped (fragment_bad) while a well-formed two-fragment datagram after it is forwarded and answered."
  topo_nat 1
  all_rs udp_srv 53
  dir_route 172.16.0.2/32 dev eth1 mtu lock 600
  { daemon; service udp "$VIP:53" rr; real 172.16.0.2:53 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic udp-send --dst "$VIP:53" --sport 40000 --size 3000 --nodf)
  nsx client python3 "$TRAFFIC" frames --iface eth0 --dst-mac "$DIR_MAC0" --src-mac "$CLIENT_MAC" \
    --src 10.0.0.2 --dst "$VIP" --dport 53 overlap >/dev/null
  end_capture || return
  is "the client got the whole answer" "$got" "RS1/3004"
  is "one fragment set dropped as overlapping" "$(trace_drop fragment_bad)" 1
  is "two datagrams scheduled" "$(scheduled)" "rs1 rs1"
  is "every frame to rs1 fits the route's MTU 600" "$(out_frames eth1 'ip and greater 615')" 0
  expect "the big datagram went to rs1 as at least six fragments" \
    test "$(out_frames eth1 'ip[6:2] & 0x3fff != 0')" -ge 6
  expect "its answer left as fragments of at most 1500" \
    test "$(out_frames eth0 'ip[6:2] & 0x3fff != 0 and src host '"$VIP")" -ge 3
}

case_nat_jumbo_oversize() {
  describe "Oversize frames (the part of GSO a capture can hold): client and director's eth0 run MTU 9000, the back network too, but the director's routes to the real servers say 1500. A capture file has no vnet header, so a GSO super-packet cannot be replayed as one (pcaps/README.md); what it can hold are frames larger than the next hop allows: an 8000-byte UDP datagram without DF arrives as one 8028-byte frame and leaves in 1500-byte fragments; with DF it gets frag-needed 1500; a TCP upload starts with 9000-byte segments, is told 1500 and completes."
  topo_nat 1 9000 9000
  tcp_sink rs1 80 RS1
  wait_listening rs1 tcp 80
  udp_srv rs1 53 RS1
  wait_listening rs1 udp 53
  dir_route 172.16.0.2/32 dev eth1 mtu lock 1500
  { daemon; service tcp "$VIP:80" rr; real 172.16.0.2:80 nat; service udp "$VIP:53" rr; real 172.16.0.2:53 nat; } | config
  begin_capture eth0 eth1 || return
  local got
  got="$(traffic udp-send --dst "$VIP:53" --sport 40000 --size 8000 --nodf)"
  got+=" $(traffic udp-send --dst "$VIP:53" --sport 40001 --size 8000 --df)"
  forget_pmtu
  got+=" $(traffic tcp-upload --dst "$VIP:80" --bytes 40000)"
  end_capture || return
  is "the client saw" "$got" "RS1/8004 msgsize-1500 RS1 got 40000"
  expect "an input frame larger than 1514 bytes arrived" \
    test "$(tcpdump -r "$CASE_DIR/in-eth0.pcap" -n greater 1515 2>/dev/null | wc -l)" -ge 2
  is "nothing larger than 1500 bytes of IP went to rs1" "$(out_frames eth1 'greater 1515')" 0
  expect "frag-needed with MTU 1500 to the client" \
    test "$(out_text eth0 'icmp and icmp[0] = 3 and icmp[1] = 4' | grep -c 'mtu 1500')" -ge 2
  expect "the 8000-byte answer went back whole (eth0 MTU 9000)" \
    test "$(out_frames eth0 "udp and src host $VIP and greater 8000")" -eq 1
}

# ---------------------------------------------------------------------------------------------
# DR

case_dr_http_udp() {
  describe "Direct routing (5.3, F3, T3): rr over rs1, rs2 holding the VIP on lo; four HTTP requests go rs2, rs1, rs2, rs1 and a UDP exchange goes to rs2; forwarded frames differ from what arrived only in the MACs (to the real server's), the TTL and the IP checksum; the replies go straight to the client, so uvsd's TCP entries follow the input-only table (SYN_RECV, ESTABLISHED, FIN_WAIT)."
  topo_split 2
  all_rs http_server 80
  local i
  for i in 1 2; do udp_srv "rs$i" 53 "RS$i" --bind "$VIP"; wait_listening "rs$i" udp 53; done
  { daemon; service tcp "$VIP:80" rr; real 172.16.0.2 dr; real 172.16.0.3 dr; service udp "$VIP:53" rr; real 172.16.0.2 dr; real 172.16.0.3 dr; } | config
  begin_capture eth0 eth1 || return
  local got=()
  for _ in 1 2 3 4; do got+=("$(http_get "http://$VIP/")"); done
  got+=("$(traffic udp-send --dst "$VIP:53")")
  end_capture || return
  is "the client got" "${got[*]}" "RS2 RS1 RS2 RS1 RS2/20"
  is "rr picks" "$(scheduled)" "rs2 rs1 rs2 rs1 rs2"
  is "every forwarded frame still goes to the VIP" "$(out_frames eth1 "ip and dst host $VIP")" \
    "$(out_frames eth1 ip)"
  is "and to a real server's MAC" \
    "$(out_text eth1 ip | grep -cE '> 02:00:00:00:02:1[12],')" "$(out_frames eth1 ip)"
  expect "input-only TCP states: ESTABLISHED -> FIN_WAIT" \
    grep -q 'ESTABLISHED>FIN_WAIT' <<<"$(states)"
  is "uvsd sent nothing to the client but its ARP answer" "$(out_frames eth0 'not arp')" 0
}

case_dr_frag_needed() {
  describe "Frag-needed through DR (5.1, F7): the back network has MTU 1400; a 1472-byte UDP payload with DF (1500 bytes of IP) gets ICMP frag-needed with MTU 1400 from uvsd; a 30000-byte TCP upload starts with 1500-byte segments (the real server answers on the 1500 front network and advertises MSS 1460), is told 1400 and completes."
  topo_split 1 1400
  tcp_sink rs1 80 RS1
  wait_listening rs1 tcp 80
  udp_srv rs1 53 RS1 --bind "$VIP"
  wait_listening rs1 udp 53
  { daemon; service tcp "$VIP:80" rr; real 172.16.0.2 dr; service udp "$VIP:53" rr; real 172.16.0.2 dr; } | config
  begin_capture eth0 eth1 || return
  local got
  got="$(traffic udp-send --dst "$VIP:53" --size 1472 --df)"
  forget_pmtu
  got+=" $(traffic tcp-upload --dst "$VIP:80" --bytes 30000)"
  end_capture || return
  is "the client saw" "$got" "msgsize-1400 RS1 got 30000"
  expect "frag-needed with MTU 1400 from uvsd" \
    test "$(out_text eth0 'icmp and icmp[0] = 3 and icmp[1] = 4' | grep -c 'mtu 1400')" -ge 2
  is "nothing over 1400 bytes of IP went to the back network" "$(out_frames eth1 'greater 1415')" 0
}

# ---------------------------------------------------------------------------------------------
# TUN: rs1 and rs2 decapsulate with `uvs-rs decap` (the kernel here has no ipip/gre/fou
# modules) and answer the client directly on the front network.

tun_case() {  # tun_case TUNNEL CSUM GUE_PORT FRAG_MTU OUTER_FILTER
  local tunnel=$1 csum=$2 port=$3 mtu=$4 outer=$5
  topo_split 2
  all_rs http_server 80
  tcp_sink rs1 8080 RS1
  tcp_sink rs2 8080 RS2
  udp_srv rs1 53 RS1 --bind "$VIP"
  udp_srv rs2 53 RS2 --bind "$VIP"
  local i
  for i in 1 2; do
    wait_listening "rs$i" tcp 8080
    wait_listening "rs$i" udp 53
    decap "rs$i" "$port"
  done
  local opts=("tunnel = \"$tunnel\"")
  [ -n "$port" ] && opts+=("tunnel_port = $port")
  [ -n "$csum" ] && opts+=("tunnel_csum = \"$csum\"")
  {
    daemon
    service tcp "$VIP:80" rr; real 172.16.0.2 tun "${opts[@]}"; real 172.16.0.3 tun "${opts[@]}"
    service tcp "$VIP:8080" rr; real 172.16.0.2 tun "${opts[@]}"
    service udp "$VIP:53" rr; real 172.16.0.2 tun "${opts[@]}"
  } | config
  begin_capture eth0 eth1 || return
  local got=()
  for _ in 1 2; do got+=("$(http_get "http://$VIP/")"); done
  got+=("$(traffic udp-send --dst "$VIP:53" --size $((mtu - 28 + 1)) --df)")
  got+=("$(traffic udp-send --dst "$VIP:53" --size $((mtu - 28)) --df)")
  forget_pmtu
  got+=("$(traffic tcp-upload --dst "$VIP:8080" --bytes 30000)")
  end_capture || return
  is "the client got" "${got[*]}" "RS2 RS1 msgsize-$mtu RS1/$((mtu - 28 + 4)) RS1 got 30000"
  is "rr picks" "$(scheduled "TCP $VIP:80")" "rs2 rs1"
  expect "frag-needed with MTU $mtu (F7)" \
    test "$(out_text eth0 'icmp and icmp[0] = 3 and icmp[1] = 4' | grep -c "mtu $mtu")" -ge 2
  is "every frame to the real servers is $tunnel from 172.16.0.1" \
    "$(out_frames eth1 "src host 172.16.0.1 and ($outer)")" "$(out_frames eth1 ip)"
  is "no frame to the real servers is over 1500 bytes of IP" "$(out_frames eth1 'greater 1515')" 0
}
case_tun_ipip() {
  describe "IPIP tunnel (5.4, F4, F7): HTTP through rr to rs2 then rs1 inside IPIP from the director's 172.16.0.1 (outer TTL and DF from the inner packet), decapsulated by uvs-rs on the real servers; a DF datagram of 1481 bytes gets frag-needed 1480 and one of 1480 passes; a TCP upload learns 1480 from uvsd and completes."
  tun_case ipip "" "" 1480 "ip proto 4"
}
case_tun_gue_nocsum() {
  describe "GUE tunnel to port 6080 without checksum (5.4, F5, F7): outer UDP checksum 0, GUE header 00 04 00 00; HTTP through rr, a DF datagram of 1469 bytes gets frag-needed 1468 and one of 1468 passes, a TCP upload learns 1468 and completes."
  tun_case gue nocsum 6080 1468 "udp dst port 6080 and udp[6:2] = 0 and udp[8:4] = 0x00040000"
}
case_tun_gue_csum() {
  describe "GUE tunnel to port 6080 with checksum (5.4, F5, F7): outer UDP checksum computed (non-zero, correct), GUE header 00 04 00 00; HTTP through rr, frag-needed 1468 for a 1469-byte DF datagram, a TCP upload learns 1468 and completes."
  tun_case gue csum 6080 1468 "udp dst port 6080 and udp[6:2] != 0 and udp[8:4] = 0x00040000"
}
case_tun_gre_nocsum() {
  describe "GRE tunnel without checksum (5.4, F6, F7): 4-byte GRE header (flags 0, protocol 0x0800); HTTP through rr, frag-needed 1476 for a 1477-byte DF datagram, a TCP upload learns 1476 and completes."
  tun_case gre nocsum "" 1476 "ip proto 47 and ip[20:4] = 0x00000800"
}
case_tun_gre_csum() {
  describe "GRE tunnel with checksum (5.4, F6, F7): 8-byte GRE header with the C bit (0x8000, protocol 0x0800, checksum); HTTP through rr, frag-needed 1472 for a 1473-byte DF datagram, a TCP upload learns 1472 and completes."
  tun_case gre csum "" 1472 "ip proto 47 and ip[20:4] = 0x80000800"
}

# tun-icmp-relay: a router with a narrower link sits between the director and the real server.
#   client ── front switch ─┬─ eth0 [director] eth1 172.16.0.1 ── 172.16.0.254 router 172.17.0.254 ── (mtu 1400) ── rs1 172.17.0.2
#                           └─ rs1 eth1 10.0.0.11 (answers)
case_tun_icmp_relay() {
  describe "ICMP about the director's own tunnel packets (5.5): IPIP to rs1 172.17.0.2 behind a router whose link to it has MTU 1400; a TCP upload's 1480-byte inner segments make 1500-byte tunnel packets, the router answers the director with frag-needed 1400, and uvsd sends the client a new frag-needed with 1380 (1400 less the 20-byte outer header) about its own segment; the upload completes."
  TOPO_NOTE="router 172.16.0.254 | 172.17.0.254 ── (MTU 1400) ── rs1 172.17.0.2, which holds the VIP on lo and answers the client directly on the front network (10.0.0.11)"
  N_RS=1
  ns_create client
  ns_create director
  ns_create fsw
  ns_create router
  ns_create rs1
  link client eth0 fsw f0
  link director eth0 fsw f1
  link rs1 eth1 fsw f2
  make_switch fsw f0 f1 f2
  link director eth1 router eth0
  link router eth1 rs1 eth0
  local r
  for r in client director fsw router rs1; do quiet_ns "$r"; done
  peer_if client eth0 "$CLIENT_MAC"
  peer_if director eth0 "$DIR_MAC0"
  peer_if director eth1 "$DIR_MAC1"
  peer_if router eth0 02:00:00:00:02:fe
  peer_if router eth1 02:00:00:00:03:fe 1400
  peer_if rs1 eth0 02:00:00:00:03:11 1400
  peer_if rs1 eth1 02:00:00:00:01:11
  client_addresses
  ip -n "$(ns director)" addr add 10.0.0.254/24 dev eth0
  ip -n "$(ns director)" addr add 172.16.0.1/24 dev eth1
  dir_route 172.17.0.0/24 via 172.16.0.254
  ip -n "$(ns router)" addr add 172.16.0.254/24 dev eth0
  ip -n "$(ns router)" addr add 172.17.0.254/24 dev eth1
  nsx router sysctl -qw net.ipv4.ip_forward=1
  ip -n "$(ns rs1)" addr add 172.17.0.2/24 dev eth0
  ip -n "$(ns rs1)" addr add 10.0.0.11/24 dev eth1
  ip -n "$(ns rs1)" route add 172.16.0.0/24 via 172.17.0.254
  UVS_RS_STATE="$UVS_TMP/rs1.state" nsx rs1 "$UVS_RS" up --vip "$VIP" --iface eth1 >/dev/null
  local f
  for f in all default eth0 eth1 lo; do nsx rs1 sysctl -qw "net.ipv4.conf.$f.rp_filter=0"; done
  tcp_sink rs1 8080 RS1
  wait_listening rs1 tcp 8080
  decap rs1
  { daemon; service tcp "$VIP:8080" rr; real 172.17.0.2 tun; } | config
  live_order_sensitive "the router's frag-needed (eth1) and the client's next segments (eth0) arrive within a millisecond; whichever the live worker reads first decides whether a segment still fits"
  begin_capture eth0 eth1 || return
  local got
  got=$(traffic tcp-upload --dst "$VIP:8080" --bytes 30000)
  end_capture || return
  is "the upload completed" "$got" "RS1 got 30000"
  expect "the router's frag-needed 1400 arrived at the director" \
    grep -q 'mtu 1400' <<<"$(tcpdump -r "$CASE_DIR/in-eth1.pcap" -n -v icmp 2>/dev/null)"
  expect "uvsd told the client 1380" \
    grep -q 'mtu 1380' <<<"$(out_text eth0 'icmp and icmp[0] = 3 and icmp[1] = 4')"
  expect "and 1480 before that (its own limit)" \
    grep -q 'mtu 1480' <<<"$(out_text eth0 'icmp and icmp[0] = 3 and icmp[1] = 4')"
}
