#!/usr/bin/env bash
# live_trace_test.sh — the live daemon's decision trace ([daemon] trace / trace_packets) in the
# seeds' NAT experiment: uvsd traces the first N frames it receives into the file, in order, one
# JSON line each, says so in its log, and goes on forwarding after the limit. Needs root
# (network namespaces, lib.sh); skips (77) otherwise.
source "$(dirname "$0")/../netns/lib.sh"
source "$(dirname "$0")/../netns/trace_checks.sh"
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
# One trace at a time: the configured one runs until its N frames are in.
out=$(uvsadm --trace "$UVS_TMP/other.jsonl" 5 2>&1) && rc=0 || rc=$?
check "uvsadm --trace is refused while the configured trace runs (exit $rc: $out)" \
  matches "$rc $out" "1 uvsadm: a decision trace is already running: * of $N frame(s) to $TRACE (uvsadm --trace-stop ends it)"

check_six_requests_and_trace "$TRACE" "$N" "after the trace limit"
stop_uvsd
finish
