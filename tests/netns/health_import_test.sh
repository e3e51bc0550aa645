#!/usr/bin/env bash
# `uvsd import-keepalived` on the seeds' keepalived.conf (003): the TOML it prints passes
# `uvsd --check`, and what cannot be carried over (global_defs, vrrp_instance, nat_mask) is named
# on stderr with its line. Needs no root and no namespace.
source "$(dirname "$0")/lib.sh"

SEED="$UVS_ROOT/tests/unit/health/keepalived/seed003_master.conf"
"$UVSD" import-keepalived "$SEED" >"$UVS_TMP/imported.toml" 2>"$UVS_TMP/warnings.txt"
rc=$?
cat "$UVS_TMP/warnings.txt"
check "import-keepalived exits 0" test "$rc" -eq 0
check "the result passes uvsd --check" "$UVSD" --check "$UVS_TMP/imported.toml"
check "global_defs is named with its line" \
  grep -q 'seed003_master.conf:4: "global_defs" is not carried over' "$UVS_TMP/warnings.txt"
check "nat_mask is named with its line" \
  grep -q 'seed003_master.conf:33: virtual_server 192.168.101.100 80: "nat_mask" is not carried over' \
  "$UVS_TMP/warnings.txt"
check "the service and its TCP checks are there" \
  bash -c "grep -q 'address = \"192.168.101.100:80\"' $UVS_TMP/imported.toml && [[ \$(grep -c 'type = \"tcp\"' $UVS_TMP/imported.toml) -eq 2 ]]"

"$UVSD" import-keepalived "$UVS_TMP/nonexistent.conf" >/dev/null 2>"$UVS_TMP/err.txt"
rc=$?
check "a missing file is an error (exit $rc)" test "$rc" -eq 1
check "naming the file" grep -q "nonexistent.conf" "$UVS_TMP/err.txt"
finish
