#!/usr/bin/env bash
# live_trace_test.sh — the live daemon's decision trace ([daemon] trace / trace_packets) in the
# seeds' NAT experiment: uvsd traces the first N frames it receives into the file, in order, one
# JSON line each, says so in its log, and goes on forwarding after the limit. Needs root
# (network namespaces, lib.sh); skips (77) otherwise.
source "$(dirname "$0")/../netns/lib.sh"
require_root
require_cmds curl python3

N=12
TRACE="$UVS_TMP/trace.jsonl"
CONFIG="$UVS_TMP/nat-rr-trace.toml"
sed "s|^\[daemon\]$|[daemon]\ntrace = \"$TRACE\"\ntrace_packets = $N|" \
  "$UVS_ROOT/config/nat-rr.toml" > "$CONFIG"

nat_topology
web_server rs1 RS1
web_server rs2 RS2
start_uvsd "$CONFIG"

answers=()
for i in $(seq 1 6); do
  answers+=("$(fetch http://10.0.1.100/)")
done
check "forwarding goes on after the trace limit (got: ${answers[*]})" \
  test "${answers[*]}" = "RS2 RS1 RS2 RS1 RS2 RS1"
# The control thread writes the trace about once a second.
check "the log says the trace is complete" \
  wait_until 5 grep -q "decision trace complete: $N frame(s) in $TRACE" "$UVS_TMP/uvsd.log"
check "exactly $N lines" test "$(wc -l < "$TRACE")" -eq "$N"
check "lines are numbered 1..$N in order" \
  test "$(sed 's/^{"index":\([0-9]*\),.*/\1/' "$TRACE" | tr '\n' ' ')" = "$(seq -s ' ' 1 $N) "
check "every line is one JSON object with the trace's keys" python3 -c '
import json, sys
keys = ["index", "ts_ns", "time", "interface", "verdict", "drop", "pass", "service", "real",
        "state_before", "state_after", "new_connection", "scheduler", "template"]
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert list(d) == keys, list(d)
    assert d["interface"] in ("eth0", "eth1"), d
' "$TRACE"
check "the first connection is traced: scheduled by rr to rs2" \
  grep -q '"real":"10.0.2.12:80","state_before":null,"state_after":"SYN_RECV","new_connection":true,"scheduler":"rr"' "$TRACE"
stop_uvsd
finish
