#!/usr/bin/env bash
# container_nat_test.sh — containers/Containerfile and containers/compose.yaml, built and run for
# real with Podman, on a machine without Docker and without registry access.
#
#   1. Podman, runc, debootstrap and python3-yaml from Debian (installed when missing). Podman
#      runs with this test's own containers.conf (runc, cgroupfs, no default ulimits) and
#      storage.conf (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF), never the machine's files.
#   2. debian:bookworm made locally: `debootstrap --variant=minbase bookworm`, then
#      `podman import` as docker.io/library/debian:bookworm, which is what the Containerfile's
#      FROM names; builds never pull (--pull=never).
#   3. The images compose.yaml names, built from the Containerfile (runtime and demo targets),
#      and checked: the three programs and every example config, every library they need and
#      only libraries added to the base image, no compiler, every example valid for uvsd --check.
#   4. The NAT topology of compose.yaml started as containers (containers/compose_podman.py,
#      since Debian's podman-compose ignores fixed subnets and addresses): the client's six
#      requests through the VIP reach both real servers, alternating (rr); uvsd runs with
#      exactly CAP_NET_RAW and CAP_NET_ADMIN and counts the connections on both.
#   5. The single-network DR topology the same way: both real servers answer, the director sees
#      only the client's half of each connection.
#   6. The systemd unit of `cmake --install`, run by systemd in a container: uvsd as a dynamic
#      user with exactly CAP_NET_RAW and CAP_NET_ADMIN, `systemctl reload` (and a refused reload
#      of a broken file), a restart after a crash.
#
# Cache (never required): /var/cache/uvs-test (UVS_TEST_CACHE) keeps the debootstrap tarball,
# Podman's storage (base image, build layers, compiler cache), so a repeated run recompiles
# only what changed. Delete the directory to start from nothing. Runs of this test on one
# machine take turns (a lock in that directory). Everything the test creates besides the cache
# (containers, networks, bridges, CNI's iptables chains) is removed on exit, also on failure;
# UVS_KEEP_CONTAINERS=1 keeps the containers and networks for a look afterwards (project
# uvs-test: `containers/compose_podman.py -p uvs-test down` removes them).
#
# Skips (exit 77) without root, where packages cannot be installed, where the Debian mirror
# cannot be reached, or where Podman cannot run a container at all; the message says which.
source "$(dirname "$0")/../netns/lib.sh"  # pass/fail/check/finish, UVS_ROOT, UVS_TMP
CACHE=${UVS_TEST_CACHE:-/var/cache/uvs-test}
MIRROR=${UVS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PROJECT=uvs-test
COMPOSE=$UVS_ROOT/containers/compose.yaml
skip() { echo "SKIP: $*"; exit 77; }
step() { echo; echo "== $* ($(date +%T))"; }

[[ $(id -u) -eq 0 ]] || skip "needs root (Podman with bridge networks, debootstrap)"

step "packages"
need=()
for p in podman runc debootstrap python3-yaml; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [[ ${#need[@]} -gt 0 ]]; then
  echo "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } \
    >"$UVS_TMP/apt.log" 2>&1; then
    tail -5 "$UVS_TMP/apt.log"
    skip "cannot install ${need[*]} from Debian"
  fi
fi
podman --version
curl -sf --max-time 20 -o /dev/null "$MIRROR/dists/bookworm/Release" ||
  skip "the Debian mirror $MIRROR cannot be reached (debootstrap and the image builds need it)"

mkdir -p "$CACHE/tmp" "$CACHE/cni"
exec 9>"$CACHE/lock"
if ! flock -n 9; then
  echo "another run holds $CACHE/lock; waiting (at most 30 minutes)"
  flock -w 1800 9 || { fail "waited 30 minutes for $CACHE/lock"; exit 1; }
fi

tmp=$UVS_TMP
run_dir=/run/uvs-test-podman
forward_before=$(cat /proc/sys/net/ipv4/ip_forward)
cni_chains_before=$(iptables -S 2>/dev/null | grep -c -- '-N CNI-')
cleanup() {
  if [[ -n ${UVS_KEEP_CONTAINERS:-} ]]; then
    echo "kept the containers and networks of project $PROJECT (UVS_KEEP_CONTAINERS)"
  else
    "$UVS_ROOT/containers/compose_podman.py" -f "$COMPOSE" -p "$PROJECT" down >/dev/null 2>&1
  fi
  # Build layers of earlier runs that no image uses any more; the tagged images stay cached.
  podman image prune -f >/dev/null 2>&1
  # The CNI bridge plugin may turn forwarding on in the host's namespace for its gateways, and
  # the CNI firewall plugin leaves its (then empty) chains in the host's filter table.
  if [[ $(cat /proc/sys/net/ipv4/ip_forward) != "$forward_before" ]]; then
    echo "$forward_before" >/proc/sys/net/ipv4/ip_forward
  fi
  if [[ $cni_chains_before -eq 0 ]] && iptables -S CNI-FORWARD >/dev/null 2>&1 &&
    [[ $(iptables -S CNI-FORWARD | wc -l) -le 2 && $(iptables -S CNI-ADMIN | wc -l) -le 1 ]]; then
    iptables -D FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD
    iptables -F CNI-FORWARD && iptables -X CNI-FORWARD && iptables -X CNI-ADMIN
  fi
  uvs_cleanup  # lib.sh's: removes $UVS_TMP
}
trap cleanup EXIT

# Podman's configuration for this test only: runc (installed with podman here; crun is not),
# cgroupfs (no systemd as PID 1), no default ulimits (otherwise Podman raises RLIMIT_NOFILE to
# 1048576, above the hard limit here, and runc fails with "error setting rlimits"), state in
# stable paths so the cached storage stays valid between runs.
cat >"$tmp/containers.conf" <<EOF
[containers]
default_ulimits = []
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$run_dir/libpod"

[network]
network_backend = "cni"
network_config_dir = "$CACHE/cni"
EOF
cat >"$tmp/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$CACHE/storage"
runroot = "$run_dir/storage"
EOF
export CONTAINERS_CONF=$tmp/containers.conf
export CONTAINERS_STORAGE_CONF=$tmp/storage.conf
export TMPDIR=$CACHE/tmp  # buildah keeps RUN --mount=type=cache directories under it

compose() { "$UVS_ROOT/containers/compose_podman.py" -f "$COMPOSE" -p "$PROJECT" "$@"; }
# Whatever an interrupted earlier run left behind.
compose down >/dev/null 2>&1

# The networks must not shadow a route of this machine.
for subnet in 10.0.1.0/24 10.0.2.0/24 172.20.0.0/24 192.168.30.0/24 10.0.9.0/24; do
  if ip -4 route show | awk '{print $1}' | grep -qxF "$subnet"; then
    skip "this machine already routes $subnet, which the test's networks use"
  fi
done

step "debian:bookworm, made locally"
base=docker.io/library/debian:bookworm
tarball=$CACHE/debian-bookworm-minbase.tar
if podman image exists "$base"; then
  echo "cached in $CACHE/storage"
else
  if [[ ! -s $tarball ]]; then
    echo "debootstrap --variant=minbase bookworm from $MIRROR"
    if ! debootstrap --variant=minbase bookworm "$tmp/rootfs" "$MIRROR" >"$tmp/debootstrap.log" 2>&1; then
      tail -20 "$tmp/debootstrap.log"
      fail "debootstrap"
      exit 1
    fi
    # As the official image: no package lists, no downloaded packages.
    rm -rf "$tmp"/rootfs/var/lib/apt/lists/* "$tmp"/rootfs/var/cache/apt/archives/*.deb \
      "$tmp"/rootfs/var/cache/apt/*.bin
    tar --numeric-owner -C "$tmp/rootfs" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$tmp/rootfs"
  fi
  podman import "$tarball" "$base" >/dev/null || { fail "podman import"; exit 1; }
fi
if ! out=$(podman run --rm --network none "$base" cat /etc/debian_version 2>&1); then
  echo "$out"
  skip "Podman cannot run a container on this machine (see above)"
fi
pass "Podman runs debian:bookworm $out"

step "images (containers/Containerfile)"
start=$(date +%s)
# The build-deps stage (compilers and -dev packages) gets a tag, so that the image prune at the
# end keeps it for the next run; only the layers built from the sources change between runs.
if ! podman build --pull=never --network=host -f "$UVS_ROOT/containers/Containerfile" \
  --target build-deps -t localhost/uvs-build-deps:latest "$UVS_ROOT" >"$tmp/deps.log" 2>&1; then
  tail -40 "$tmp/deps.log"
  fail "building the build-deps stage"
  exit 1
fi
if ! compose --build-option=--pull=never --build-option=--network=host build nat-client \
  >"$tmp/build.log" 2>&1; then
  tail -40 "$tmp/build.log"
  fail "building the images"
  exit 1
fi
grep -E '^(== building|runtime packages:|STEP [0-9]+/[0-9]+: FROM)' "$tmp/build.log"
grep -m1 -E '^ +Hits:' "$tmp/build.log" | sed 's/^ */compiler cache /'
pass "runtime and demo images built in $(($(date +%s) - start)) s"
# A build without --target gives the runtime image (the last stage).
if podman build --pull=never --network=host -q -f "$UVS_ROOT/containers/Containerfile" \
  -t localhost/uvs:default "$UVS_ROOT" >/dev/null 2>"$tmp/default.log"; then
  check "the default target is the runtime image (uvsd runs)" \
    podman run --rm --network none localhost/uvs:default uvsd --version
  podman rmi localhost/uvs:default >/dev/null
else
  cat "$tmp/default.log"
  fail "building the Containerfile without --target"
fi

img=localhost/uvs:latest
in_image() { podman run --rm --network none "$img" sh -c "$1"; }
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^localhost/uvs'
check "the runtime image has uvsd, uvsadm and uvs-rs in /usr/sbin" \
  in_image 'test -x /usr/sbin/uvsd && test -x /usr/sbin/uvsadm && test -x /usr/sbin/uvs-rs'
examples=$(cd "$UVS_ROOT/config" && ls *.toml | sort | tr '\n' ' ')
check "it has every example config ($examples)" \
  test "$(in_image 'cd /usr/share/doc/uvs/examples && ls *.toml' | sort | tr '\n' ' ')" = "$examples"
check "every example passes uvsd --check in the image" \
  in_image 'for f in /usr/share/doc/uvs/examples/*.toml; do uvsd --check "$f" || exit 1; done'
check "every library the programs need is there (ldd: nothing 'not found')" \
  in_image '! ldd /usr/sbin/uvsd /usr/sbin/uvsadm /usr/sbin/uvs-rs | grep "not found"'
added=$(comm -13 <(podman run --rm --network none "$base" dpkg-query -W -f '${Package}\n' | sort) \
  <(in_image "dpkg-query -W -f '\${Package}\n'" | sort) | tr '\n' ' ')
echo "packages added to debian:bookworm: $added"
check "every package added to the base image is a shared library" \
  bash -c "for p in $added; do [[ \$p == lib* ]] || exit 1; done"
check "no apt caches left in the runtime image" \
  in_image 'test -z "$(ls /var/cache/apt/archives/*.deb /var/cache/apt/*.bin /var/lib/apt/lists/*_Packages 2>/dev/null)"'
check "no compiler, no build tool, no -dev package in the runtime image" \
  in_image '! command -v cc && ! command -v c++ && ! command -v cmake && ! dpkg -l | grep -q "^ii  [^ ]*-dev[: ]"'

step "LVS/NAT: compose.yaml nat-client and what it depends on"
out=$(compose up --no-build nat-client 2>&1)
rc=$?
echo "$out"
check "the client's requests all succeeded" test $rc -eq 0
answers=$(grep -oE 'hello from nat-rs[12]' <<<"$out" | awk '{print $3}' | tr '\n' ' ')
check "six answers through the VIP 10.0.1.100 (got: $answers)" test "$(wc -w <<<"$answers")" -eq 6
check "both real servers answered" bash -c "[[ '$answers' == *nat-rs1* && '$answers' == *nat-rs2* ]]"
check "round robin: they alternate" \
  bash -c "awk '{for (i = 2; i <= NF; i++) if (\$i == \$(i - 1)) exit 1}' <<<'$answers'"
director=$PROJECT-nat-director
podman exec "$director" uvsadm -Ln --stats
stats=$(podman exec "$director" uvsadm -Ln --stats)
check "uvsd counted connections on both real servers" \
  bash -c "awk '\$1 == \"->\" && \$2 ~ /^10\\.0\\.2\\.1[12]:80\$/ && \$3 > 0 {n++} END {exit n != 2}' <<<'$stats'"
check "uvsd in the container has exactly CAP_NET_RAW and CAP_NET_ADMIN (0x3000)" \
  test "$(podman exec "$director" awk '$1 == "CapEff:" {print $2}' /proc/1/status)" = 0000000000003000
check "ip_forward is 0 in the director's namespace" \
  test "$(podman exec "$director" cat /proc/sys/net/ipv4/ip_forward)" = 0
podman logs "$director" 2>&1 | tail -3

step "LVS/DR on one network: compose.yaml dr-client and what it depends on"
out=$(compose up --no-build dr-client 2>&1)
rc=$?
echo "$out"
check "the client's requests all succeeded" test $rc -eq 0
answers=$(grep -oE 'hello from dr-rs[12]' <<<"$out" | awk '{print $3}' | tr '\n' ' ')
check "six answers through the VIP 192.168.30.7 (got: $answers)" test "$(wc -w <<<"$answers")" -eq 6
check "both real servers answered" bash -c "[[ '$answers' == *dr-rs1* && '$answers' == *dr-rs2* ]]"
for rs in dr-rs1 dr-rs2; do
  check "$rs passed uvs-rs check" bash -c "podman logs $PROJECT-$rs 2>&1 | grep -q 'uvs-rs check: OK'"
done
stats=$(podman exec "$PROJECT-dr-director" uvsadm -Ln --stats)
echo "$stats"
check "the DR director saw the client's packets only (InPkts > 0, OutPkts 0)" \
  bash -c "awk '\$1 == \"TCP\" {exit !(\$4 > 0 && \$5 == 0)}' <<<'$stats'"

step "the systemd unit, run by systemd in a container"
# uvsd.service as `cmake --install` writes it for /usr (the systemd component only writes the
# unit, so the build directory need not be built), in the runtime image plus systemd. systemd
# gets CAP_SYS_ADMIN to build the unit's sandbox (DynamicUser); uvsd must end up with exactly
# CAP_NET_RAW and CAP_NET_ADMIN. Its own network: 10.0.9.0/24, VIP 10.0.9.100.
unit_dir=$tmp/unit
if [[ ! -f ${UVS_BUILD:-}/CMakeCache.txt ]]; then
  echo "NOTE: no configured build directory (UVS_BUILD); the unit is not run"
elif ! DESTDIR=$unit_dir/root cmake --install "$UVS_BUILD" --prefix /usr --component systemd \
  >"$tmp/unit-install.log" 2>&1; then
  cat "$tmp/unit-install.log"
  fail "cmake --install --component systemd"
else
  mkdir -p "$unit_dir/root/etc/uvs"
  cat >"$unit_dir/root/etc/uvs/uvs.toml" <<'TOML'
[daemon]
interfaces = ["eth0"]
[[service]]
protocol = "tcp"
address = "10.0.9.100:80"
scheduler = "rr"
  [[service.real]]
  address = "10.0.9.11:80"
  forward = "nat"
TOML
  chmod 0644 "$unit_dir/root/etc/uvs/uvs.toml"
  cat >"$unit_dir/Containerfile" <<'CONTAINERFILE'
FROM localhost/uvs:latest
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends systemd \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY root/ /
RUN systemctl enable uvsd.service
CMD ["/lib/systemd/systemd"]
CONTAINERFILE
  label=io.uvs.compose.project=$PROJECT  # so that `compose down` removes them too
  sd=$PROJECT-systemd
  if ! podman build --pull=never --network=host -t localhost/uvs-systemd:latest "$unit_dir" \
    >"$tmp/unit-build.log" 2>&1; then
    tail -20 "$tmp/unit-build.log"
    fail "building the systemd test image"
  else
    podman network create --disable-dns --internal --label "$label" --subnet 10.0.9.0/24 \
      --gateway 10.0.9.254 "$PROJECT-unit" >/dev/null
    podman run -d --name "$sd" --label "$label" --systemd=always --cap-add SYS_ADMIN \
      --cap-add NET_RAW --cap-add NET_ADMIN --sysctl net.ipv4.ip_forward=0 \
      --sysctl net.ipv4.conf.all.arp_ignore=1 --network "$PROJECT-unit:ip=10.0.9.1" \
      localhost/uvs-systemd:latest >/dev/null
    sdx() { podman exec "$sd" "$@"; }
    main_pid() { sdx systemctl show -p MainPID --value uvsd.service; }
    check "systemd starts uvsd.service" wait_until 30 sdx systemctl is-active -q uvsd.service
    sdx systemctl status uvsd.service --no-pager 2>&1 | head -9
    pid=$(main_pid)
    status=$(sdx cat "/proc/$pid/status")
    field() { awk -v f="$1:" '$1 == f {print $2}' <<<"$status"; }
    check "uvsd runs as an unprivileged dynamic user (uid $(field Uid))" test "$(field Uid)" -gt 0
    for f in CapEff CapPrm CapAmb CapBnd; do
      check "its $f is exactly NET_ADMIN|NET_RAW (0x3000)" test "$(field $f)" = 0000000000003000
    done
    check "no new privileges" test "$(field NoNewPrivs)" = 1
    check "uvsadm reaches it on /run/uvs/uvsd.sock" \
      bash -c "podman exec $sd uvsadm -Ln | grep -q '10.0.9.100:80'"
    check "systemctl reload uvsd succeeds (SIGHUP)" sdx systemctl reload uvsd.service
    check "and uvsd reloaded the file" bash -c \
      "podman exec $sd journalctl -u uvsd.service --no-pager | grep -q 'reloaded /etc/uvs/uvs.toml'"
    sdx cp /etc/uvs/uvs.toml /etc/uvs/good.toml
    sdx sh -c 'echo "[daemon" >/etc/uvs/uvs.toml'
    check "reloading a broken file fails" bash -c "! podman exec $sd systemctl reload uvsd.service"
    check "and uvsd keeps running, the same process" bash -c \
      "podman exec $sd systemctl is-active -q uvsd.service && [[ \$(podman exec $sd systemctl show -p MainPID --value uvsd.service) == $pid ]]"
    sdx cp /etc/uvs/good.toml /etc/uvs/uvs.toml
    sdx sh -c "kill -9 $pid"  # the shell's kill: the image has no /bin/kill
    check "killed, it is restarted (Restart=on-failure)" wait_until 15 bash -c \
      "[[ \$(podman exec $sd systemctl show -p NRestarts --value uvsd.service) -ge 1 ]] && podman exec $sd systemctl is-active -q uvsd.service"
    check "as a new process" test "$(main_pid)" != "$pid"
  fi
fi

if [[ $FAILURES -ne 0 ]]; then
  for c in $(podman ps -a --filter "label=io.uvs.compose.project=$PROJECT" --format '{{.Names}}'); do
    echo "--- podman logs $c"
    podman logs "$c" 2>&1 | tail -20
  done
fi
finish
