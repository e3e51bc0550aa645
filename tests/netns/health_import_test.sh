#!/usr/bin/env bash
# `uvsd import-keepalived` on the seeds' keepalived.conf (003), imported and run (issue 7).
#
# Part 1 (no root, no namespace): the TOML it prints passes `uvsd --check`, and what cannot be
# carried over (global_defs, vrrp_instance, nat_mask) is named on stderr with its line.
#
# Part 2 (root, network namespaces): seed 003's LVS-DR topology, built with the seed's own
# addresses, runs uvsd on the imported TOML as printed — nothing is rewritten: the director's
# interface is eth0 as in the seed, and the imported file's [daemon] is left at its default (every
# interface but lo). The real servers take the VIP on lo with `uvs-rs up` (the seed's lvsdr
# script). Checks: HTTP requests from the client are served by both real servers, each client
# address sticking to one (persistence_timeout 50); both TCP_CHECKs are UP in `uvsadm --health`;
# stopping nginx1's web server takes its checker DOWN within delay_loop + nb_get_retry ×
# delay_before_retry (+ margin) and removes it (the seed has no inhibit_on_failure), after which
# every client address, also one that stuck to nginx1, is served by nginx2; starting it again
# brings nginx1 back for new clients.
#
#   client 192.168.101.50-57, .60-63 ── switch ─┬─ director 192.168.101.8 [uvsd]
#                                               ├─ nginx1 192.168.101.3  (VIP on lo)
#                                               └─ nginx2 192.168.101.4  (VIP on lo)
#   VIP 192.168.101.100 (answered in ARP by uvsd, on no kernel interface of the director)
source "$(dirname "$0")/lib.sh"

SEED="$UVS_ROOT/tests/unit/health/keepalived/seed003_master.conf"
IMPORTED="$UVS_TMP/imported.toml"
"$UVSD" import-keepalived "$SEED" >"$IMPORTED" 2>"$UVS_TMP/warnings.txt"
rc=$?
cat "$UVS_TMP/warnings.txt"
check "import-keepalived exits 0" test "$rc" -eq 0
check "the result passes uvsd --check" "$UVSD" --check "$IMPORTED"
check "global_defs is named with its line" \
  grep -q 'seed003_master.conf:4: "global_defs" is not carried over' "$UVS_TMP/warnings.txt"
check "nat_mask is named with its line" \
  grep -q 'seed003_master.conf:33: virtual_server 192.168.101.100 80: "nat_mask" is not carried over' \
  "$UVS_TMP/warnings.txt"
check "the service and its TCP checks are there" \
  bash -c "grep -q 'address = \"192.168.101.100:80\"' $IMPORTED && [[ \$(grep -c 'type = \"tcp\"' $IMPORTED) -eq 2 ]]"

"$UVSD" import-keepalived "$UVS_TMP/nonexistent.conf" >/dev/null 2>"$UVS_TMP/err.txt"
rc=$?
check "a missing file is an error (exit $rc)" test "$rc" -eq 1
check "naming the file" grep -q "nonexistent.conf" "$UVS_TMP/err.txt"

# --- Part 2: the imported configuration runs.
if [[ $FAILURES -ne 0 ]]; then
  finish  # the import itself failed: no point running it
fi
require_root
require_cmds curl python3

ns_create client
ns_create switch
ns_create director
ns_create nginx1
ns_create nginx2
link client eth0 switch p0
link director eth0 switch p1
link nginx1 eth0 switch p2
link nginx2 eth0 switch p3
ip -n "$(ns switch)" link add br0 type bridge
for p in p0 p1 p2 p3; do ip -n "$(ns switch)" link set "$p" master br0; done
ip -n "$(ns switch)" link set br0 up
CLIENTS=(50 51 52 53 54 55 56 57)
FRESH_CLIENTS=(60 61 62 63)  # used only once nginx1 is back: no persistence template yet
for c in "${CLIENTS[@]}" "${FRESH_CLIENTS[@]}"; do
  ip -n "$(ns client)" addr add "192.168.101.$c/24" dev eth0
done
ip -n "$(ns director)" addr add 192.168.101.8/24 dev eth0
ip -n "$(ns nginx1)" addr add 192.168.101.3/24 dev eth0
ip -n "$(ns nginx2)" addr add 192.168.101.4/24 dev eth0
for r in nginx1 nginx2; do
  UVS_RS_STATE="$UVS_TMP/$r.state" nsx "$r" "$UVS_RS" up --vip 192.168.101.100 --iface eth0 >/dev/null
done
web_server nginx1 NGINX1
WEB1=$LAST_PID
web_server nginx2 NGINX2

start_uvsd "$IMPORTED"
uvsadm -Ln

listed() { uvsadm -Ln | grep -Eq -- "-> $1:80 +Route +3 "; }
absent() { ! uvsadm -Ln | grep -q -- "-> $1:80 "; }
health_says() { uvsadm --health | grep -Eq "$1"; }
from() { fetch --interface "192.168.101.$1" http://192.168.101.100/; }  # from CLIENT-SUFFIX
# serve_all SUFFIX...: who answers each client address twice; "A/B" per address, or "?" when
# the two answers differ (persistence broken) — space-separated.
serve_all() {
  local c a b out=()
  for c in "$@"; do
    a=$(from "$c"); b=$(from "$c")
    if [[ $a == "$b" ]]; then out+=("$a"); else out+=("?$a/$b"); fi
  done
  echo "${out[*]}"
}

check "nginx1 is listed as DR with weight 3" listed 192.168.101.3
check "nginx2 is listed as DR with weight 3" listed 192.168.101.4
# warm-up: the first check comes 1 s + up to delay_loop (6 s) after start.
check "nginx1's TCP_CHECK is UP (connected) within 10 s" \
  wait_until 10 health_says '^  192\.168\.101\.3:80 +tcp +UP .*ok: connected'
check "nginx2's TCP_CHECK is UP (connected) within 10 s" \
  wait_until 10 health_says '^  192\.168\.101\.4:80 +tcp +UP .*ok: connected'
uvsadm --health

answers=$(serve_all "${CLIENTS[@]}")
echo "client addresses ${CLIENTS[*]}: $answers"
check "every client address sticks to one real server (persistence 50)" \
  bash -c "! grep -q '?' <<<\"\$0\"" "$answers"
check "both real servers serve clients" \
  bash -c "grep -q NGINX1 <<<\"\$0\" && grep -q NGINX2 <<<\"\$0\"" "$answers"
stats=$(uvsadm -Ln --stats)
check "DR: the director sees the clients' packets only (InPkts > 0, OutPkts 0)" \
  bash -c "awk '\$1 == \"TCP\" {exit !(\$4 > 0 && \$5 == 0)}' <<<\"\$0\"" "$stats"

# Stop nginx1's web server: refused connects. DOWN after the failed attempt and its 3 retries,
# 3 s apart, at the next round (at most 6 s away): ≤ 6 + 3 × 3 s, plus a 6 s margin.
kill "$WEB1"
t0=$(date +%s.%N)
check "nginx1 leaves the service within delay_loop + nb_get_retry*delay_before_retry (+6 s)" \
  wait_until 21 absent 192.168.101.3
echo "nginx1 removed $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s after its server stopped"
check "uvsd's log says who, which checker and why" \
  grep -Eq 'health: TCP 192\.168\.101\.100:80: real 192\.168\.101\.3:80: tcp check DOWN \(connect: Connection refused, after 3 retries\): removed' \
  "$UVS_TMP/uvsd.log"
uvsadm --health
check "uvsadm --health shows nginx1's checker DOWN with the reason" \
  health_says '^  192\.168\.101\.3:80 +tcp +DOWN .*failed: connect: Connection refused'
check "nginx2 is still listed with weight 3" listed 192.168.101.4
answers=$(serve_all "${CLIENTS[@]}")
check "every client address is now served by nginx2 (got: $answers)" \
  test "$(tr ' ' '\n' <<<"$answers" | sort -u)" = NGINX2

web_server nginx1 NGINX1
check "nginx1 comes back with weight 3 within delay_loop (+6 s)" \
  wait_until 12 listed 192.168.101.3
check "uvsd's log says it was added back" \
  grep -Eq 'real 192\.168\.101\.3:80: tcp check UP \(connected\): added back with weight 3' \
  "$UVS_TMP/uvsd.log"
answers=$(serve_all "${FRESH_CLIENTS[@]}")
check "new client addresses reach nginx1 again (got: $answers)" grep -q NGINX1 <<<"$answers"
uvsadm -Ln
finish
