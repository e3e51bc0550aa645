#!/usr/bin/env bash
# Counters and rates on a running uvsd (issue 5, item 7; reference §7, §6.3): the daemon's own
# 2-second estimator timer, where unit_control calls the estimator directly. On the seeds' NAT
# topology a stream of short requests (lib.sh's start_stream, about 10 a second) runs; checks:
#   * within a few estimator periods `uvsadm -Ln --rate` shows non-zero CPS, InPPS and OutPPS
#     for the service and both real servers, and `--json` the same rates: the listing is
#     compared byte for byte with the one made from the JSON in ipvsadm's formats;
#   * once the stream has stopped, `--stats` is the listing made from the JSON's counters, and
#     `uvsadm -Z` zeroes the counters (--stats) and the rates (--rate) at once, checked against
#     literal listings;
#   * `[daemon] run_estimation = false` by SIGHUP reload: the rates keep the values they had,
#     through an estimator period with traffic and one without (either would move them), while
#     the counters keep counting; -Z then reads 0 rates; `true` again and the rates move again.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3

VIP=10.0.1.100
CONF="$UVS_TMP/uvs.toml"
nat_topology
web_server rs1 RS1
web_server rs2 RS2

# write_conf RUN_ESTIMATION: the seeds' NAT service (rr over both real servers).
write_conf() {
  { toml_daemon "run_estimation = $1"; toml_nat_service "$VIP:80" rr 10.0.2.11:80 10.0.2.12:80; } |
    write_file "$CONF"
}
write_conf true
start_uvsd "$CONF" || { fail "uvsd starts"; finish; }

# from_json MODE < `uvsadm -Ln --json`: MODE rate / stats: the listing ipvsadm prints for
# -Ln --rate / --stats, made from the JSON (§6.3; every value here is below the largenum
# suffixes); nonzero: succeeds when CPS, InPPS and OutPPS are non-zero for every service and
# real server; rates: every rate in the JSON (services, real servers, totals), one line each.
cat >"$UVS_TMP/from_json.py" <<'EOF'
import json, sys
mode, d = sys.argv[1], json.load(sys.stdin)
rows = []  # (object, name, is a real server) in listing order
for s in d['services']:
    rows.append((s, '%-4s %s:%d' % (s['protocol'], s['address'], s['port']), False))
    rows += [(x, '%s:%d' % (x['address'], x['port']), True) for x in s['dests']]
if mode == 'nonzero':
    sys.exit(0 if rows and all(o['rates'][k] > 0 for o, _, _ in rows
                               for k in ('cps', 'inpps', 'outpps')) else 1)
if mode == 'rates':
    for o, name, _ in rows:
        print(name, *o['rates'].values())
    print('totals', *d['totals']['rates'].values())
    sys.exit(0)
group, cols = {'rate': ('rates', ('CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS')),
               'stats': ('stats', ('Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'))}[mode]
print('IP Virtual Server version %s (size=%d)' % (d['version'], d['conn_tab_size']))
print('%-33s %8s %8s %8s %8s %8s' % (('Prot LocalAddress:Port',) + cols))
print('  -> RemoteAddress:Port')
for o, name, is_dest in rows:
    v = list(o[group].values())
    assert all(x < 100000000 for x in v), v
    if is_dest and mode == 'rate':
        print('  -> %-28s %8d %8d %8d' % (name, *v[:3]) + '%9d%9d' % tuple(v[3:]))
    else:
        print(('  -> %-28s' if is_dest else '%-33s') % name + '%9d%9d%9d%9d%9d' % tuple(v))
EOF
from_json() { python3 "$UVS_TMP/from_json.py" "$@"; }
rates_nonzero() { uvsadm -Ln --json | from_json nonzero; }
# text_equals_json MODE: `uvsadm -Ln --MODE` is the listing made from `uvsadm -Ln --json`. Read
# between two JSON listings that agree, so an estimator step in between is not a mismatch
# (retried by wait_until; a real mismatch fails every time). Keeps the last pair for the log.
text_equals_json() {
  local before after
  before=$(uvsadm -Ln --json | from_json "$1") || return 1
  uvsadm -Ln "--$1" >"$UVS_TMP/$1.txt" || return 1
  after=$(uvsadm -Ln --json | from_json "$1") || return 1
  [[ $before == "$after" ]] || return 1
  echo "$before" >"$UVS_TMP/$1.from-json"
  cmp -s "$UVS_TMP/$1.from-json" "$UVS_TMP/$1.txt"
}
# counters_settled: two --stats listings 0.3 s apart are equal (the last ACKs of the stream's
# connections have passed).
counters_settled() {
  local a; a=$(uvsadm -Ln --stats)
  sleep 0.3
  [[ $a == "$(uvsadm -Ln --stats)" ]]
}
service_conns() { uvsadm -Ln --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["services"][0]["stats"]["conns"])'; }

# --- 1. rates while the stream runs.
start_stream "http://$VIP/"
check "within 10 s, --rate shows non-zero CPS, InPPS, OutPPS for the service and both real servers" \
  wait_until 10 rates_nonzero
check "-Ln --rate is byte for byte the listing made from --json's rates" wait_until 5 text_equals_json rate
cat "$UVS_TMP/rate.txt"
diff "$UVS_TMP/rate.from-json" "$UVS_TMP/rate.txt"
check "the JSON agreeing with the listing has non-zero rates" \
  bash -c "[[ \$(awk 'NR > 3 && \$3 > 0 && \$4 > 0 && \$5 > 0' '$UVS_TMP/rate.txt' | wc -l) -eq 3 ]]"
stop_stream 10

# --- 2. -Z zeroes counters and rates at once.
check "the counters settle once the stream has stopped" wait_until 5 counters_settled
check "-Ln --stats is byte for byte the listing made from --json's counters" text_equals_json stats
check "... which counted the stream's connections" \
  bash -c "[[ \$(awk 'NR > 3 && \$3 > 0 && \$4 > 0 && \$5 > 0' '$UVS_TMP/stats.txt' | wc -l) -eq 3 ]]"
uvsadm -Z
stats_title=$(printf '%-33s %8s %8s %8s %8s %8s' 'Prot LocalAddress:Port' Conns InPkts OutPkts InBytes OutBytes)
rate_title=$(printf '%-33s %8s %8s %8s %8s %8s' 'Prot LocalAddress:Port' CPS InPPS OutPPS InBPS OutBPS)
zero_listing() {  # zero_listing TITLE: -Ln --stats / --rate with every value 0
  echo 'IP Virtual Server version 1.2.1 (size=4096)'
  echo "$1"
  echo '  -> RemoteAddress:Port'
  printf '%-33s%9d%9d%9d%9d%9d\n' "TCP  $VIP:80" 0 0 0 0 0
  printf '  -> %-28s%9d%9d%9d%9d%9d\n' 10.0.2.11:80 0 0 0 0 0 10.0.2.12:80 0 0 0 0 0
}
uvsadm -Ln --stats >"$UVS_TMP/stats-zeroed.txt"
uvsadm -Ln --rate >"$UVS_TMP/rate-zeroed.txt"
zero_listing "$stats_title" >"$UVS_TMP/stats-zero.expected"
zero_listing "$rate_title" >"$UVS_TMP/rate-zero.expected"
check "right after -Z, -Ln --stats shows every counter 0" \
  cmp "$UVS_TMP/stats-zero.expected" "$UVS_TMP/stats-zeroed.txt"
check "right after -Z, -Ln --rate shows every rate 0" \
  cmp "$UVS_TMP/rate-zero.expected" "$UVS_TMP/rate-zeroed.txt"
cat "$UVS_TMP/stats-zeroed.txt" "$UVS_TMP/rate-zeroed.txt"

# --- 3. run_estimation = false: the rates freeze, the counters count on.
start_stream "http://$VIP/"
check "with the stream again, the rates become non-zero again" wait_until 10 rates_nonzero
write_conf false
reload_uvsd
check "the reload to run_estimation = false is logged" \
  test "$(grep -c "reloaded $CONF: 1 change(s)" "$UVS_TMP/uvsd.log")" -eq 1
frozen=$(uvsadm -Ln --json | from_json rates)
conns=$(service_conns)
echo "frozen at:"
echo "$frozen"
sleep 2.5  # at least one estimator period with traffic
stop_stream 10
check "the counters settle once the stream has stopped" wait_until 5 counters_settled
sleep 2.5  # and at least one without: each would have moved the rates
check "with run_estimation = false, the rates keep the values they had (non-zero)" \
  test "$(uvsadm -Ln --json | from_json rates)" = "$frozen"
check "... and they are the non-zero rates of the traffic" rates_nonzero
check "with run_estimation = false, the counters keep counting (Conns $conns -> $(service_conns))" \
  test "$(service_conns)" -gt "$conns"
uvsadm -Z
uvsadm -Ln --rate >"$UVS_TMP/rate-zeroed.txt"
check "with run_estimation = false, -Z reads 0 rates" \
  cmp "$UVS_TMP/rate-zero.expected" "$UVS_TMP/rate-zeroed.txt"

# --- 4. run_estimation = true again: the rates follow the traffic again.
write_conf true
reload_uvsd
check "the reload to run_estimation = true is logged" \
  test "$(grep -c "reloaded $CONF: 1 change(s)" "$UVS_TMP/uvsd.log")" -eq 2
start_stream "http://$VIP/"
check "with run_estimation = true again, the rates become non-zero" wait_until 10 rates_nonzero
stop_stream 5
if [[ $FAILURES -ne 0 ]]; then
  echo "--- uvsd log"
  cat "$UVS_TMP/uvsd.log"
fi
finish
