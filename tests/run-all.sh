#!/usr/bin/env bash
# run-all.sh — install what is missing, build (Debug, ASan+UBSan) and run the whole test suite:
# unit and packet tests, then the network-namespace tests with real programs (root only; they
# skip with a message otherwise). Exit status 0 only if everything passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
"$here/setup.sh" debug

echo "== formatting (clang-format)"
# Every C++ file of the tree, git checkout or not (a tarball is checked too).
files=$(cd "$root" && find src tests -type f \( -name '*.h' -o -name '*.cc' \) | sort)
[[ -n $files ]] || { echo "no C++ files found under $root/src and $root/tests"; exit 1; }
bad=$(cd "$root" && while read -r f; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"
done <<<"$files")
if [[ -n $bad ]]; then
  echo "not clang-formatted:"; echo "$bad"
  exit 1
fi

echo "== tests"
cd "$root/build"
ctest --output-on-failure -j"$(nproc)" -LE netns
ctest --output-on-failure -L netns
