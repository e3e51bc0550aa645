#!/usr/bin/env bash
# regenerate_corpus.sh — rebuild the whole replay corpus under pcaps/, then check it.
#
#   tests/replay/regenerate_corpus.sh [--generated-only]
#
# 1. Generated cases (inputs written by replay_traffic, the table below): make_case.sh
#    --generate SCENARIO rewrites their inputs and expected outputs.
# 2. Captured cases (every case of corpus_cases.sh): capture_case.sh records new inputs from
#    real traffic in network namespaces, makes the expected outputs offline and checks each
#    case's decisions against the reference; needs root. --generated-only skips this step.
# 3. The golden test (tests/replay/golden_test.sh) over the whole corpus.
# Each case's README.md says which of the two made it and that this script regenerates it.
# Re-captured inputs differ from the committed ones (ports, sequence numbers, times), so review
# `git diff --stat pcaps/` and the checks' output before committing.
#
# Environment: UVS_BUILD, the build directory (default: build/ at the top of the repository),
# holding uvsd, uvsadm, uvs-rs and tests/replay/{replay_traffic,pcap_diff}.
# Exit 0 when every step succeeded.
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
export UVS_BUILD=${UVS_BUILD:-$REPO/build}
PCAPS=$REPO/pcaps

# case folder -> replay_traffic scenario
GENERATED=(
  "nat-tcp-rr nat-tcp"
  "nat-udp-expiry nat-udp"
  "nat-link-malformed link-malformed"
  "nat-gso nat-gso"
)

failed=0
for entry in "${GENERATED[@]}"; do
  read -r dir scenario <<<"$entry"
  echo "=== $dir (generated: replay_traffic $scenario)"
  "$HERE/make_case.sh" --generate "$scenario" "$PCAPS/$dir" || failed=1
done

if [ "${1:-}" != "--generated-only" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "regenerate_corpus: capturing needs root (network namespaces); use --generated-only" >&2
    exit 1
  fi
  "$HERE/capture_case.sh" || failed=1
fi

echo "=== golden test"
bash "$HERE/golden_test.sh" "$UVS_BUILD/uvsd" "$UVS_BUILD/tests/replay/pcap_diff" "$PCAPS" || failed=1
exit $failed
