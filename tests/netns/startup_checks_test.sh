#!/usr/bin/env bash
# uvsd refuses to start next to a kernel that would fight it, with a message that names the
# problem and a non-zero exit (issue 2 item 9): ip_forward on in its namespace, a VIP configured
# on a kernel interface, an interface missing or down, an invalid configuration (file:line:col).
# And it does start when everything is right.
source "$(dirname "$0")/lib.sh"
require_root

nat_topology
cfg="$UVS_ROOT/config/nat-rr.toml"

refuses() {  # refuses "what" "expected message regex" [uvsd args...]
  local what=$1 want=$2; shift 2
  local out rc
  out=$(nsx director timeout 10 "$UVSD" "$@" --socket "$UVS_TMP/refuse.sock" 2>&1); rc=$?
  echo "$out" | sed 's/^/    /'
  check "$what: exit status non-zero (got $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
  check "$what: the message says why" grep -Eq "$want" <<<"$out"
}

nsx director sysctl -qw net.ipv4.ip_forward=1
refuses "ip_forward=1" "ip_forward is 1" --config "$cfg"
nsx director sysctl -qw net.ipv4.ip_forward=0

ip -n "$(ns director)" addr add 10.0.1.100/32 dev eth0
refuses "VIP on a kernel interface" "10\.0\.1\.100.*eth0" --config "$cfg"
ip -n "$(ns director)" addr del 10.0.1.100/32 dev eth0

ip -n "$(ns director)" link set eth1 down
refuses "interface down" "eth1.*down" --config "$cfg"
ip -n "$(ns director)" link set eth1 up

sed 's/"eth1"/"eth9"/' "$cfg" >"$UVS_TMP/missing.toml"
refuses "interface missing" "eth9" --config "$UVS_TMP/missing.toml"

sed 's/scheduler = "rr"/scheduler = "rrr"/' "$cfg" >"$UVS_TMP/bad.toml"
refuses "invalid config" "bad\.toml:[0-9]+:[0-9]+: .*unknown scheduler \"rrr\"" --config "$UVS_TMP/bad.toml"
out=$("$UVSD" --check "$UVS_TMP/bad.toml" 2>&1); rc=$?
check "uvsd --check of an invalid file fails with file:line:col" \
  bash -c "[[ $rc -ne 0 ]] && grep -Eq 'bad\.toml:[0-9]+:[0-9]+:' <<<\"\$0\"" "$out"
check "uvsd --check of a valid file succeeds" "$UVSD" --check "$cfg"

start_uvsd "$cfg"
check "with everything right it starts and answers" uvsadm -Ln
finish
