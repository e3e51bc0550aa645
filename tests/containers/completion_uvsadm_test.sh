#!/usr/bin/env bash
# completion_uvsadm_test.sh — the bash completion of uvsadm (src/app/completion/uvsadm), driven
# the way bash drives it (COMP_LINE, COMP_POINT, COMP_WORDBREAKS as bash sets them).
#
# Without a daemon: the options offered for "-" are exactly the options `uvsadm -h` shows;
# values of -s, -b (comma lists), --tun-type; nothing (and quickly) after -t when no daemon
# answers. With a daemon (root: uvsd in the seeds' NAT topology, plus a UDP service added with
# uvsadm): after -t / -u the VIP:port of the running services of that protocol, through
# --socket on the line or $UVS_SOCKET; the part after a ':' alone when bash split the word
# there; after -r the real servers of the service already on the line.
source "$(dirname "$0")/../netns/lib.sh"
COMPLETION=$UVS_ROOT/src/app/completion/uvsadm
[[ -x $UVSADM ]] || { echo "SKIP: $UVSADM is not built"; exit 77; }

# complete LINE: what the completion offers at the end of LINE, sorted, space-separated.
complete_line() {
  bash -c '
    source "$1"
    COMP_WORDBREAKS=$2
    COMP_LINE=$3
    COMP_POINT=${#COMP_LINE}
    _uvsadm
    printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" $' \t\n"\'@><=;|&(:' "$1" | sort | tr '\n' ' ' |
    sed 's/ $//'
}
expect() {  # expect DESCRIPTION LINE WANTED
  local got
  got=$(complete_line "$2")
  if [[ $got == "$3" ]]; then pass "$1: '$2' -> '$got'"; else fail "$1: '$2' -> '$got', wanted '$3'"; fi
}

echo "== without a daemon"
check "the completion file is valid bash" bash -n "$COMPLETION"
help_opts=$("$UVSADM" -h | grep -oE '(^|[^A-Za-z0-9_-])--?[A-Za-z0-9][A-Za-z0-9-]*' |
  sed -E 's/^[^-]*//' | sort -u | tr '\n' ' ' | sed 's/ $//')
expect "'-' offers exactly the options of uvsadm -h" "uvsadm -" "$help_opts"
expect "long options by prefix" "uvsadm --sch" "--sched-flags --scheduler"
expect "schedulers after -s" "uvsadm -A -t 10.0.1.100:80 -s w" "wlc wrr"
expect "every scheduler after --scheduler" "uvsadm -A -t 1.2.3.4:80 --scheduler " \
  "dh fo lblc lblcr lc mh none nq ovf rr sed sh twos wlc wrr"
expect "scheduler flags, the last of a comma list" "uvsadm -E -t 1.2.3.4:80 -b sh-port,mh" \
  "sh-port,mh-fallback sh-port,mh-port"
expect "tunnel types" "uvsadm -a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-type g" "gre gue"
expect "sync states" "uvsadm --start-daemon " "backup master"
expect "nothing after -w (a number)" "uvsadm -e -t 1.2.3.4:80 -r 5.6.7.8 -w " ""
start=$(date +%s)
expect "no service offered when no daemon answers" \
  "$UVSADM --socket $UVS_TMP/none.sock -d -t " ""
check "and the answer comes at once (no daemon to wait for)" test $(($(date +%s) - start)) -le 2

if [[ $(id -u) -ne 0 ]] || ! ip netns add "${_UVS_TAG}probe" 2>/dev/null; then
  echo "SKIP: the part with a running uvsd needs root and network namespaces"
  [[ $FAILURES -eq 0 ]] && exit 77
  finish
fi
ip netns del "${_UVS_TAG}probe"

echo "== with uvsd running (config/nat-rr.toml, plus a UDP service)"
nat_topology
start_uvsd "$UVS_ROOT/config/nat-rr.toml"
uvsadm -A -u 10.0.1.100:53 -s rr
uvsadm -a -u 10.0.1.100:53 -r 10.0.2.11 -m
uvsadm -Sn
expect "TCP services after -t (--socket on the line)" \
  "$UVSADM --socket $UVS_SOCKET_PATH -d -t " "10.0.1.100:80"
expect "UDP services after -u" "$UVSADM --socket $UVS_SOCKET_PATH -D -u 1" "10.0.1.100:53"
expect "after a ':' bash splits at, only the rest" "$UVSADM --socket=$UVS_SOCKET_PATH -E -t 10.0.1.100:" "80"
expect "real servers of the service on the line after -r" \
  "$UVSADM --socket $UVS_SOCKET_PATH -d -t 10.0.1.100:80 -r " "10.0.2.11:80 10.0.2.12:80"
export UVS_SOCKET=$UVS_SOCKET_PATH
expect "through \$UVS_SOCKET" "$UVSADM -Z -t " "10.0.1.100:80"
unset UVS_SOCKET
stop_uvsd
finish
