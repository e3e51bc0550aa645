#!/usr/bin/env bash
# golden_test.sh — replay every case under pcaps/ and compare with its expected outputs.
#
#   golden_test.sh UVSD PCAP_DIFF PCAPS_DIR [CASE...]
#
# A case is a folder PCAPS_DIR/<case>/ holding config.toml, in-IFACE.pcap (what arrived on
# IFACE) and expected-IFACE.pcap (what uvsd sent on IFACE), for every interface uvsd serves, and
# optionally expected-listing.txt (the final `uvsadm -Ln --stats` and `-Ln --rate` listings).
# For each case: `uvsd replay` with one --in per input, in name order (that order breaks
# timestamp ties, and make_case.sh uses the same), into a temporary directory; every output must
# have an expected file and the same frames (pcap_diff prints a field-by-field diff of the first
# differing frames otherwise), and no expected file may lack an output; with
# expected-listing.txt, `uvsd replay --listing` must write the same text (diff -u otherwise),
# and the listing of the repeated runs below must be byte-identical to it. Then the same replay
# again, with a trace: outputs byte-identical to the first run (determinism), and the trace of a
# third run identical to the second's. Exit 0 when every case passes, 1 otherwise (every case is
# run and reported either way). Temporary files are removed on every exit.
set -u

if [ $# -lt 3 ]; then
  echo "usage: golden_test.sh UVSD PCAP_DIFF PCAPS_DIR [CASE...]" >&2
  exit 2
fi
UVSD=$1
PCAP_DIFF=$2
PCAPS=$3
shift 3
export LC_ALL=C

for tool in "$UVSD" "$PCAP_DIFF"; do
  if [ ! -x "$tool" ]; then
    echo "golden_test: $tool is not built" >&2
    exit 2
  fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/uvs-golden.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# The --in arguments of a case: one per in-IFACE.pcap, in name order.
inputs_of() {
  local f name
  for f in "$1"/in-*.pcap; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pcap)
    printf -- '--in\n%s=%s\n' "${name#in-}" "$f"
  done
}

# replay CASE_DIR OUT_DIR [extra args...]: runs uvsd replay, output on stderr kept in OUT_DIR.log
replay() {
  local dir=$1 out=$2
  shift 2
  local -a ins
  mapfile -t ins < <(inputs_of "$dir")
  mkdir -p "$out"
  "$UVSD" replay --config "$dir/config.toml" "${ins[@]}" --out-dir "$out" "$@" 2> "$out.log"
}

run_case() {
  local dir=$1 name
  name=$(basename "$dir")
  local work="$TMP/$name" ok=1
  if ! compgen -G "$dir/in-*.pcap" > /dev/null; then
    echo "FAIL $name: no in-IFACE.pcap input"
    return 1
  fi
  local -a listing=()
  if [ -e "$dir/expected-listing.txt" ]; then
    listing=(--listing "$work/run1.listing")
  fi
  if ! replay "$dir" "$work/run1" "${listing[@]}"; then
    echo "FAIL $name: uvsd replay failed:"
    sed 's/^/    /' "$work/run1.log"
    return 1
  fi
  local out iface
  for out in "$work"/run1/*.pcap; do
    [ -e "$out" ] || continue
    iface=$(basename "$out" .pcap)
    if [ ! -e "$dir/expected-$iface.pcap" ]; then
      echo "FAIL $name: uvsd wrote $iface.pcap but there is no expected-$iface.pcap"
      ok=0
      continue
    fi
    if ! "$PCAP_DIFF" "$dir/expected-$iface.pcap" "$out" > "$work/diff-$iface.txt" 2>&1; then
      echo "FAIL $name: $iface output differs from expected-$iface.pcap:"
      sed 's/^/    /' "$work/diff-$iface.txt"
      ok=0
    fi
  done
  if [ ${#listing[@]} -gt 0 ] &&
    ! diff -u "$dir/expected-listing.txt" "$work/run1.listing" > "$work/diff-listing.txt"; then
    echo "FAIL $name: the final listing differs from expected-listing.txt:"
    sed 's/^/    /' "$work/diff-listing.txt"
    ok=0
  fi
  local exp
  for exp in "$dir"/expected-*.pcap; do
    [ -e "$exp" ] || continue
    iface=$(basename "$exp" .pcap)
    iface=${iface#expected-}
    if [ ! -e "$work/run1/$iface.pcap" ]; then
      echo "FAIL $name: expected-$iface.pcap exists but uvsd wrote no $iface.pcap"
      ok=0
    fi
  done
  # Determinism: the same inputs give the same bytes, outputs and trace alike.
  local -a listing2=() listing3=()
  if [ ${#listing[@]} -gt 0 ]; then
    listing2=(--listing "$work/run2.listing")
    listing3=(--listing "$work/run3.listing")
  fi
  if replay "$dir" "$work/run2" --trace "$work/run2/trace.jsonl" "${listing2[@]}" &&
    replay "$dir" "$work/run3" --trace "$work/run3/trace.jsonl" "${listing3[@]}"; then
    for out in "$work"/run1/*.pcap; do
      [ -e "$out" ] || continue
      if ! cmp -s "$out" "$work/run2/$(basename "$out")"; then
        echo "FAIL $name: $(basename "$out") differs between two runs of the same replay"
        ok=0
      fi
    done
    if ! cmp -s "$work/run2/trace.jsonl" "$work/run3/trace.jsonl"; then
      echo "FAIL $name: the trace differs between two runs of the same replay"
      ok=0
    fi
    if [ ${#listing[@]} -gt 0 ] && ! { cmp -s "$work/run1.listing" "$work/run2.listing" &&
      cmp -s "$work/run2.listing" "$work/run3.listing"; }; then
      echo "FAIL $name: the final listing differs between runs of the same replay"
      ok=0
    fi
    local frames lines
    frames=$(sed -n 's/.*: \([0-9]*\) frames in .*/\1/p' "$work/run2.log")
    lines=$(wc -l < "$work/run2/trace.jsonl")
    if [ "$frames" != "$lines" ]; then
      echo "FAIL $name: $frames input frames but $lines trace lines"
      ok=0
    fi
  else
    echo "FAIL $name: a repeated replay failed"
    ok=0
  fi
  if [ $ok = 1 ]; then
    echo "ok   $name: $(sed -n 's/^uvsd replay: \(.*\); wrote.*/\1/p' "$work/run1.log")"
    return 0
  fi
  return 1
}

cases=()
if [ $# -gt 0 ]; then
  for c in "$@"; do
    cases+=("$PCAPS/$c")
  done
else
  for d in "$PCAPS"/*/; do
    [ -e "$d/config.toml" ] && cases+=("${d%/}")
  done
fi
if [ ${#cases[@]} -eq 0 ]; then
  echo "golden_test: no case under $PCAPS (a case is a folder with config.toml)" >&2
  exit 1
fi

failed=0
for c in "${cases[@]}"; do
  run_case "$c" || failed=$((failed + 1))
done
echo "$((${#cases[@]} - failed)) of ${#cases[@]} replay cases passed"
[ $failed -eq 0 ]
