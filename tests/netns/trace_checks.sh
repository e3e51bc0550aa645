# trace_checks.sh — checks shared by the live decision-trace tests ([daemon] trace and
# uvsadm --trace), sourced after lib.sh. Both trace the seeds' NAT experiment (nat-rr.toml,
# rs1 and rs2 answering RS1 and RS2).

matches() { [[ $1 == $2 ]]; }  # matches TEXT GLOB

# check_six_requests_and_trace TRACE N WHEN: six requests alternate between the real servers
# (forwarding goes on WHEN the trace runs or ends), then TRACE holds exactly N JSON lines,
# numbered 1..N, with the offline trace's keys, the first connection scheduled by rr to rs2,
# and uvsd's log says the trace is complete.
check_six_requests_and_trace() {
  local trace=$1 n=$2 when=$3 answers=() i
  for i in $(seq 1 6); do
    answers+=("$(fetch http://10.0.1.100/)")
  done
  check "forwarding goes on $when (got: ${answers[*]})" \
    test "${answers[*]}" = "RS2 RS1 RS2 RS1 RS2 RS1"
  # The control thread writes the trace about once a second.
  check "the log says the trace is complete" \
    wait_until 5 grep -q "decision trace complete: $n frame(s) in $trace" "$UVS_TMP/uvsd.log"
  check "exactly $n lines" test "$(wc -l < "$trace")" -eq "$n"
  check "lines are numbered 1..$n in order" \
    test "$(sed 's/^{"index":\([0-9]*\),.*/\1/' "$trace" | tr '\n' ' ')" = "$(seq -s ' ' 1 "$n") "
  check "every line is one JSON object with the offline trace's keys" python3 -c '
import json, sys
keys = ["index", "ts_ns", "time", "interface", "verdict", "drop", "pass", "service", "real",
        "state_before", "state_after", "new_connection", "scheduler", "template"]
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert list(d) == keys, list(d)
    assert d["interface"] in ("eth0", "eth1"), d
' "$trace"
  check "the first connection is traced: scheduled by rr to rs2" \
    grep -q '"real":"10.0.2.12:80","state_before":null,"state_after":"SYN_RECV","new_connection":true,"scheduler":"rr"' "$trace"
}
