#!/usr/bin/env bash
# install_layout_test.sh — `cmake --install` puts every file where a Debian-style system expects
# it, and the systemd unit it writes is valid.
#
#   1. DESTDIR=STAGE cmake --install BUILD --prefix /usr: the programs in usr/sbin (runnable;
#      with them the scripts uvsadm-save and uvsadm-restore, which run the uvsadm beside them),
#      uvsd.8/uvsadm.8/uvs-rs.8 in usr/share/man/man8, uvs.toml.5 in man5, every config/*.toml in
#      usr/share/doc/uvs/examples, the unit in usr/lib/systemd/system naming /usr/sbin/uvsd and
#      /etc/uvs/uvs.toml, with exactly CAP_NET_RAW and CAP_NET_ADMIN, reload by SIGHUP and restart
#      on failure, and the bash completion in usr/share/bash-completion/completions/uvsadm;
#      nothing else.
#   2. cmake --install BUILD --prefix PREFIX (a real prefix in a temporary directory, so the
#      unit's ExecStart exists): `systemd-analyze verify` accepts the unit, with MANPATH pointing
#      at the installed man pages so its Documentation= links are checked too (skipped with a
#      note where systemd-analyze is missing).
#   3. --component works: installing only "programs" installs only the programs and scripts.
source "$(dirname "$0")/../netns/lib.sh"  # pass/fail/check/finish, UVS_TMP (removed on exit)

for p in uvsd uvsadm uvs-rs; do
  [[ -x $UVS_BUILD/$p ]] || { echo "SKIP: $UVS_BUILD/$p is not built"; exit 77; }
done
tmp=$UVS_TMP

# 1. Staged install for /usr.
stage=$tmp/stage
if ! DESTDIR=$stage cmake --install "$UVS_BUILD" --prefix /usr >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"
  fail "cmake --install into DESTDIR"
  exit 1
fi
expected=(
  usr/sbin/uvsd usr/sbin/uvsadm usr/sbin/uvs-rs usr/sbin/uvsadm-save usr/sbin/uvsadm-restore
  usr/share/man/man8/uvsd.8 usr/share/man/man8/uvsadm.8 usr/share/man/man8/uvs-rs.8
  usr/share/man/man5/uvs.toml.5
  usr/lib/systemd/system/uvsd.service
  usr/share/bash-completion/completions/uvsadm
)
for f in "$UVS_ROOT"/config/*.toml; do
  expected+=("usr/share/doc/uvs/examples/$(basename "$f")")
done
missing=()
for f in "${expected[@]}"; do [[ -f $stage/$f ]] || missing+=("$f"); done
check "every expected file is installed (${#expected[@]} files)" test ${#missing[@]} -eq 0
[[ ${#missing[@]} -eq 0 ]] || echo "  missing: ${missing[*]}"
extra=$(cd "$stage" && find . -type f | sed 's|^\./||' | sort |
  comm -23 - <(printf '%s\n' "${expected[@]}" | sort))
check "nothing else is installed" test -z "$extra"
[[ -z $extra ]] || echo "  unexpected: $extra"
for p in uvsd uvsadm uvs-rs uvsadm-save uvsadm-restore; do
  check "usr/sbin/$p is executable" test -x "$stage/usr/sbin/$p"
done
# No uvsd runs here: the scripts reach the installed uvsadm, which says it found no daemon.
for p in uvsadm-save uvsadm-restore; do
  check "the installed $p runs the uvsadm beside it" bash -c \
    "UVS_SOCKET=$tmp/none.sock '$stage/usr/sbin/$p' </dev/null 2>&1 | grep -q 'cannot reach uvsd at $tmp/none.sock'"
done
check "the installed uvsd runs (--version)" "$stage/usr/sbin/uvsd" --version
check "the installed uvsadm runs (-v)" "$stage/usr/sbin/uvsadm" -v
check "the installed uvs-rs runs (--help)" bash -c "'$stage/usr/sbin/uvs-rs' --help >/dev/null"
check "examples: the installed uvs.example.toml is valid (uvsd --check)" \
  "$stage/usr/sbin/uvsd" --check "$stage/usr/share/doc/uvs/examples/uvs.example.toml"
check "the completion file is valid bash" bash -n "$stage/usr/share/bash-completion/completions/uvsadm"

unit=$stage/usr/lib/systemd/system/uvsd.service
unit_has() { grep -qxF -- "$1" "$unit"; }
check "unit: ExecStart runs /usr/sbin/uvsd with /etc/uvs/uvs.toml" \
  unit_has "ExecStart=/usr/sbin/uvsd --config /etc/uvs/uvs.toml --socket /run/uvs/uvsd.sock"
check "unit: checks the file before starting" unit_has "ExecStartPre=/usr/sbin/uvsd --check /etc/uvs/uvs.toml"
reloads=$(grep -x 'ExecReload=.*' "$unit" | tr '\n' '|')
check "unit: reload checks the file, then sends SIGHUP" test "$reloads" = \
  'ExecReload=/usr/sbin/uvsd --check /etc/uvs/uvs.toml|ExecReload=/bin/sh -c "kill -HUP ${MAINPID}"|'
check "unit: restarts on failure" unit_has "Restart=on-failure"
check "unit: ambient capabilities are exactly CAP_NET_RAW CAP_NET_ADMIN" \
  unit_has "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN"
check "unit: bounding set is exactly CAP_NET_RAW CAP_NET_ADMIN" \
  unit_has "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN"
check "unit: runs as an unprivileged user" unit_has "DynamicUser=yes"
check "unit: waits for the configuration" unit_has "ConditionPathExists=/etc/uvs/uvs.toml"
check "unit: no placeholder left" bash -c "! grep -q '@' '$unit'"

# 2. A real prefix, for systemd-analyze verify.
prefix=$tmp/prefix
if ! cmake --install "$UVS_BUILD" --prefix "$prefix" >"$tmp/install2.log" 2>&1; then
  cat "$tmp/install2.log"
  fail "cmake --install --prefix $prefix"
else
  punit=$prefix/lib/systemd/system/uvsd.service
  check "unit for prefix $prefix names its own sbin and etc" \
    grep -qxF "ExecStart=$prefix/sbin/uvsd --config $prefix/etc/uvs/uvs.toml --socket /run/uvs/uvsd.sock" "$punit"
  if command -v systemd-analyze >/dev/null; then
    out=$(MANPATH=$prefix/share/man systemd-analyze verify "$punit" 2>&1)
    rc=$?
    [[ -z $out ]] || echo "$out"
    check "systemd-analyze verify accepts the unit (and finds its man pages)" test $rc -eq 0 -a -z "$out"
  else
    echo "NOTE: systemd-analyze is not installed; the unit was not verified by systemd"
  fi
fi

# 3. One component.
comp=$tmp/comp
DESTDIR=$comp cmake --install "$UVS_BUILD" --prefix /usr --component programs >/dev/null 2>&1
got=$(cd "$comp" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')
check "--component programs installs the programs and scripts only (got: $got)" \
  test "$got" = "usr/sbin/uvs-rs usr/sbin/uvsadm usr/sbin/uvsadm-restore usr/sbin/uvsadm-save usr/sbin/uvsd "

finish
