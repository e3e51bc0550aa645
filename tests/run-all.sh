#!/usr/bin/env bash
# run-all.sh — install what is missing, build (Debug, ASan+UBSan) and run the whole test suite:
# unit and packet tests, then the network-namespace tests with real programs (root only; they
# skip with a message otherwise). Exit status 0 only if everything passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
"$here/setup.sh" debug

echo "== formatting (clang-format)"
bad=$(cd "$root" && git ls-files 'src/*.h' 'src/*.cc' 'tests/*.h' 'tests/*.cc' 2>/dev/null |
  while read -r f; do clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
if [[ -n $bad ]]; then
  echo "not clang-formatted:"; echo "$bad"
  exit 1
fi

echo "== tests"
cd "$root/build"
ctest --output-on-failure -j"$(nproc)" -LE netns
ctest --output-on-failure -L netns
