#!/usr/bin/env bash
# live_trace_uvsadm_test.sh — `uvsadm --trace FILE [N]` / `--trace-stop` against a live uvsd
# started without [daemon] trace, in the seeds' NAT experiment: uvsd traces the next N frames
# into FILE (the offline trace's JSON lines), logs the completion, refuses a second trace while
# one runs, a relative path and a file it cannot create; --trace-stop ends a trace early.
# Needs root (network namespaces, lib.sh); skips (77) otherwise.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/trace_checks.sh"
require_root
require_cmds curl python3

N=20
TRACE="$UVS_TMP/t.jsonl"
nat_topology
web_server rs1 RS1
web_server rs2 RS2
start_uvsd "$UVS_ROOT/config/nat-rr.toml"

# status CMD...: runs it, leaves its exit status in RC, its stdout in OUT and stderr in ERR.
status() {
  OUT=$("$@" 2>"$UVS_TMP/err") && RC=0 || RC=$?
  ERR=$(cat "$UVS_TMP/err")
}

status uvsadm --trace t.jsonl 5
check "a relative path is refused by uvsadm (exit $RC: $ERR)" \
  test "$RC" = 2 -a "$ERR" = "uvsadm: --trace needs an absolute path (uvsd opens the file itself, in its own working directory): t.jsonl"
status uvsadm --trace "$TRACE" 0
check "N = 0 is refused (exit $RC: $ERR)" \
  test "$RC" = 2 -a "$ERR" = 'uvsadm: --trace: the number of frames must be an integer from 1 to 1000000, not "0"'
status uvsadm --trace "$UVS_TMP/no/such/dir/t.jsonl" 5
check "a file uvsd cannot create: the path and the reason (exit $RC: $ERR)" \
  test "$RC" = 1 -a "$ERR" = "uvsadm: $UVS_TMP/no/such/dir/t.jsonl: cannot create the trace file: No such file or directory"
status uvsadm --trace-stop
check "--trace-stop without a trace (exit $RC: $ERR)" \
  test "$RC" = 1 -a "$ERR" = "uvsadm: no decision trace is running"

status uvsadm --trace "$TRACE" $N
check "--trace starts a trace (exit $RC: $OUT)" \
  test "$RC" = 0 -a "$OUT" = "tracing the next $N frame(s) to $TRACE"
status uvsadm --trace "$UVS_TMP/other.jsonl" 5
check "a second --trace while one runs is refused (exit $RC: $ERR)" \
  matches "$RC $ERR" "1 uvsadm: a decision trace is already running: * of $N frame(s) to $TRACE (uvsadm --trace-stop ends it)"
check "the refused trace's file was not created" test ! -e "$UVS_TMP/other.jsonl"

check_six_requests_and_trace "$TRACE" "$N" "during and after the trace"

# A finished trace frees the way for the next; --trace-stop ends one early.
TRACE2="$UVS_TMP/t2.jsonl"
status uvsadm --trace "$TRACE2"
check "a new trace after the first one completed, default N = trace_packets (exit $RC: $OUT)" \
  test "$RC" = 0 -a "$OUT" = "tracing the next 10000 frame(s) to $TRACE2"
fetch http://10.0.1.100/ >/dev/null
fetch http://10.0.1.100/ >/dev/null
status uvsadm --trace-stop
lines=$(wc -l < "$TRACE2")
check "--trace-stop ends it and says how many frames were written (exit $RC: $OUT)" \
  test "$RC" = 0 -a "$OUT" = "trace stopped: $lines frame(s) written to $TRACE2"
check "the stopped trace holds the frames of two requests ($lines lines)" \
  test "$lines" -ge 10 -a "$lines" -lt 100
check "the log says the trace was stopped" \
  grep -q "decision trace stopped (uvsadm --trace-stop): $lines frame(s) in $TRACE2" "$UVS_TMP/uvsd.log"
fetch http://10.0.1.100/ >/dev/null
check "nothing is written after --trace-stop" test "$(wc -l < "$TRACE2")" -eq "$lines"
check "forwarding goes on after --trace-stop" test -n "$(fetch http://10.0.1.100/)"
status uvsadm --trace-stop
check "a second --trace-stop finds no trace (exit $RC)" test "$RC" = 1
stop_uvsd
finish
