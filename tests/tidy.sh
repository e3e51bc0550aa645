#!/usr/bin/env bash
# tidy.sh — run clang-tidy (.clang-tidy at the top) over uvs's sources, or over the files given.
# Not part of run-all.sh: about 10 s per file (asio and libtins headers), half an hour for the
# tree on two cores, which the CI budget cannot carry. Uses build/compile_commands.json (run
# tests/setup.sh first). Exit status 1 when clang-tidy reports anything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command -v clang-tidy >/dev/null || { echo "tidy: clang-tidy is not installed (apt-get install clang-tidy)" >&2; exit 2; }
[[ -f $root/build/compile_commands.json ]] ||
  { echo "tidy: $root/build/compile_commands.json is missing: run tests/setup.sh" >&2; exit 2; }
if [[ $# -gt 0 ]]; then
  files=("$@")
else
  mapfile -t files < <(cd "$root" && find src -name '*.cc' | sort)
fi
cd "$root"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
printf '%s\n' "${files[@]}" |
  xargs -P "$(nproc)" -n 1 clang-tidy -p build --quiet >"$out" 2>/dev/null || true
if grep -q ': error: ' "$out"; then
  cat "$out"
  echo "tidy: $(grep -c ': error: ' "$out") finding(s) in ${#files[@]} file(s)"
  exit 1
fi
echo "tidy: ${#files[@]} file(s) clean"
