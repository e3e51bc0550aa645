#!/usr/bin/env bash
# setup.sh — install what uvs needs from Debian packages (only what is missing) and build it.
#
#   tests/setup.sh            Debug build with ASan+UBSan in build/ (what the tests use)
#   tests/setup.sh release    Release build in build-release/ (benchmarks, demos, install)
#
# Safe to run again: it installs nothing that is already there and rebuilds incrementally.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake pkg-config clang-format
  libpcap-dev libtins-dev libasio-dev libtomlplusplus-dev doctest-dev
  iproute2 python3 curl socat tcpdump tcpreplay ethtool git
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mode=${1:-debug}
case "$mode" in
  debug) dir="$root/build"; type=Debug ;;
  release) dir="$root/build-release"; type=Release ;;
  *) echo "setup: unknown mode '$mode' (debug | release)" >&2; exit 2 ;;
esac
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE="$type" >/dev/null
cmake --build "$dir" -j"$(nproc)"
echo "setup: built $type in $dir"
