#!/usr/bin/env bash
# demo.sh — the seeds' LVS/NAT experiment, for real: a client, a director running uvsd and two
# real servers with real HTTP servers, each in its own network namespace. Ten requests go to the
# VIP; the demo prints which real server answered each one, then the director's counters, and
# tears everything down. Needs root (network namespaces).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[[ -n ${UVS_SKIP_SETUP:-} ]] || "$here/setup.sh" debug

source "$here/netns/lib.sh"
require_root
require_cmds curl python3

echo
echo "== topology: client ── [uvsd director] ── rs1, rs2 (config/nat-rr.toml)"
nat_topology
web_server rs1 "hello from RS1 (10.0.2.11)"
web_server rs2 "hello from RS2 (10.0.2.12)"
start_uvsd "$UVS_ROOT/config/nat-rr.toml"

echo
echo "== uvsadm -Ln"
uvsadm -Ln
echo
echo "== ten requests from the client to http://10.0.1.100/"
for i in $(seq 1 10); do
  printf 'request %2d -> %s\n' "$i" "$(fetch http://10.0.1.100/)"
done
echo
echo "== per real server: connections, packets and bytes (uvsadm -Ln --stats)"
uvsadm -Ln --stats
echo
echo "== active/inactive connections (uvsadm -Ln)"
uvsadm -Ln
echo
echo "== frame counters (uvsadm --counters)"
uvsadm --counters
stop_uvsd
echo
echo "demo finished; tearing the namespaces down"
