#!/usr/bin/env bash
# The capabilities uvsd needs, measured rather than assumed: uvsd runs as user nobody with
# exactly the capabilities given (setpriv: ambient, inheritable and bounding sets), in the
# director namespace of the seeds' NAT topology, which is what a container with
# `--cap-drop ALL --cap-add ...` or the systemd unit (AmbientCapabilities=) gives it.
#
#   CAP_NET_RAW + CAP_NET_ADMIN  starts, sets arp_ignore=1 itself, balances rr over both real
#                                servers; its effective set is exactly those two (0x3000)
#   CAP_NET_RAW only             starts; warns that it cannot set arp_ignore when that is 0; with
#                                arp_ignore already 1 (a container's --sysctl), no warning, and
#                                balances as well
#   CAP_NET_ADMIN only, or none  refuses to start: AF_PACKET needs CAP_NET_RAW
#
# README "Containers and capabilities", uvsd(8) CAPABILITIES and config/uvsd.service.in state
# these results.
source "$(dirname "$0")/lib.sh"
require_root
require_cmds curl python3 setpriv

nat_topology
web_server rs1 "RS1"
web_server rs2 "RS2"

# nobody must reach the config and a directory for its control socket.
chmod 0755 "$UVS_TMP"
mkdir -p "$UVS_TMP/run"
chown 65534:65534 "$UVS_TMP/run"
cp "$UVS_ROOT/config/nat-rr.toml" "$UVS_TMP/nat-rr.toml"
chmod 0644 "$UVS_TMP/nat-rr.toml"
UVS_SOCKET_PATH=$UVS_TMP/run/uvsd.sock

set_arp_ignore() {
  nsx director sysctl -qw "net.ipv4.conf.eth0.arp_ignore=$1" "net.ipv4.conf.eth1.arp_ignore=$1"
}
arp_ignore_is() {
  [[ $(nsx director sysctl -n net.ipv4.conf.eth0.arp_ignore) == "$1" &&
     $(nsx director sysctl -n net.ipv4.conf.eth1.arp_ignore) == "$1" ]]
}

# run_as_nobody CAPS LOG: uvsd as nobody with exactly CAPS ("+net_raw,+net_admin", or "" for
# none), in the director's namespace; sets UVSD_PID.
run_as_nobody() {
  local caps=$1 log=$2
  bg director "$log" setpriv --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps="-all${caps:+,$caps}" --ambient-caps="-all${caps:+,$caps}" \
    --bounding-set="-all${caps:+,$caps}" \
    "$UVSD" --config "$UVS_TMP/nat-rr.toml" --socket "$UVS_SOCKET_PATH"
  UVSD_PID=$LAST_PID
}
cap_field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
balances() {
  local answers=() i
  for i in 1 2 3 4; do answers+=("$(fetch http://10.0.1.100/)"); done
  echo "  answers: ${answers[*]}"
  [[ " ${answers[*]} " == *" RS1 "* && " ${answers[*]} " == *" RS2 "* ]]
}

echo "== CAP_NET_RAW + CAP_NET_ADMIN, arp_ignore 0 on the director"
set_arp_ignore 0
run_as_nobody "+net_raw,+net_admin" "$UVS_TMP/both.log"
if check "uvsd starts as nobody with CAP_NET_RAW + CAP_NET_ADMIN" wait_until 10 uvsadm -Ln; then
  check "it runs as uid 65534" test "$(awk '$1 == "Uid:" {print $2}' "/proc/$UVSD_PID/status")" = 65534
  check "its effective capabilities are exactly NET_ADMIN|NET_RAW (0x3000)" \
    test "$(cap_field "$UVSD_PID" CapEff)" = 0000000000003000
  check "its bounding set is exactly NET_ADMIN|NET_RAW" \
    test "$(cap_field "$UVSD_PID" CapBnd)" = 0000000000003000
  check "it set arp_ignore=1 on eth0 and eth1 itself" arp_ignore_is 1
  check "requests through the VIP reach both real servers" balances
fi
stop_uvsd
cat "$UVS_TMP/both.log"

echo "== CAP_NET_RAW only, arp_ignore already 1"
set_arp_ignore 1
run_as_nobody "+net_raw" "$UVS_TMP/raw1.log"
if check "uvsd starts with CAP_NET_RAW alone" wait_until 10 uvsadm -Ln; then
  check "its effective capabilities are exactly NET_RAW (0x2000)" \
    test "$(cap_field "$UVSD_PID" CapEff)" = 0000000000002000
  check "requests through the VIP reach both real servers" balances
fi
stop_uvsd
check "no warning (nothing to set)" bash -c "! grep -q warning '$UVS_TMP/raw1.log'"

echo "== CAP_NET_RAW only, arp_ignore 0"
set_arp_ignore 0
run_as_nobody "+net_raw" "$UVS_TMP/raw0.log"
check "uvsd starts with CAP_NET_RAW alone" wait_until 10 uvsadm -Ln
stop_uvsd
cat "$UVS_TMP/raw0.log"
check "and warns that it cannot set arp_ignore" \
  grep -q "warning: eth0: cannot set net.ipv4.conf.eth0.arp_ignore=1" "$UVS_TMP/raw0.log"
check "arp_ignore stayed 0" arp_ignore_is 0

for caps in "+net_admin" ""; do
  echo "== ${caps:-no capabilities}"
  run_as_nobody "$caps" "$UVS_TMP/fail.log"
  check "uvsd exits by itself (${caps:-none})" wait_until 10 bash -c "! kill -0 $UVSD_PID 2>/dev/null"
  wait "$UVSD_PID"
  rc=$?
  cat "$UVS_TMP/fail.log"
  check "with status 1" test "$rc" -eq 1
  check "saying AF_PACKET needs CAP_NET_RAW" grep -q "AF_PACKET needs CAP_NET_RAW" "$UVS_TMP/fail.log"
done
finish
