#!/usr/bin/env python3
"""compose_podman.py -- run containers/compose.yaml with Podman alone.

Debian 12's podman-compose (1.0.3) ignores ipam subnets and per-network ipv4_address, which both
topologies of compose.yaml depend on. This script implements exactly the part of the compose
format that compose.yaml uses, with plain `podman` commands, and refuses any key it does not
implement (so the file cannot silently rely on something ignored here). It is what
tests/containers/container_nat_test.sh runs compose.yaml with.

  compose_podman.py [-f FILE] [-p PROJECT] [--build-option OPT]... up [-d] [--no-build] SERVICE...
  compose_podman.py [-f FILE] [-p PROJECT] [--build-option OPT]... build SERVICE...
  compose_podman.py [-f FILE] [-p PROJECT] down

`up` builds the images the services (and what they depend on) use, creates their networks,
starts the dependencies first (waiting for a dependency's healthcheck when asked to with
`condition: service_healthy`), then the services. Without -d it waits for the named services to
exit, prints their output and exits with the first non-zero status. `down` removes the
project's containers and networks. Names: PROJECT-SERVICE for containers, PROJECT-NETWORK for
networks; PROJECT defaults to the file's `name`.

Implemented: top level name, services, networks, x-* (anchors); service image, build (context,
dockerfile, target), command, cap_add, cap_drop, sysctls, networks (ipv4_address; the
interfaces are named eth0, eth1, ... in the order the networks are listed), volumes (bind
mounts HOST:CONTAINER[:ro]), depends_on (list, or map with condition service_started or
service_healthy), healthcheck (test, interval, timeout, retries); network internal and ipam
config (subnet, gateway). Networks get no DNS server (--disable-dns).
"""

import argparse
import os
import shlex
import subprocess
import sys
import time

import yaml

SERVICE_KEYS = {"image", "build", "command", "cap_add", "cap_drop", "sysctls", "networks",
                "volumes", "depends_on", "healthcheck"}
BUILD_KEYS = {"context", "dockerfile", "target"}
NETWORK_KEYS = {"internal", "ipam"}
LABEL = "io.uvs.compose.project"


class ComposeError(Exception):
    pass


def podman(args, check=True, capture=False):
    """Runs `podman ARGS`; raises ComposeError naming the command when it fails."""
    cmd = ["podman"] + args
    res = subprocess.run(cmd, text=True, stdout=subprocess.PIPE if capture else None,
                         stderr=subprocess.PIPE if capture else None, check=False)
    if check and res.returncode != 0:
        detail = (res.stderr or "").strip() if capture else ""
        raise ComposeError(f"{shlex.join(cmd)} failed (exit {res.returncode}) {detail}".strip())
    return res


def seconds(text, default):
    """'1s', '500ms', '2m', 3 -> seconds as a float."""
    if text is None:
        return default
    if isinstance(text, (int, float)):
        return float(text)
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


class Project:
    def __init__(self, path, name, build_options):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.dir = os.path.dirname(os.path.abspath(path))
        self.name = name or self.doc.get("name") or os.path.basename(self.dir)
        self.build_options = build_options
        self.services = self.doc.get("services") or {}
        self.networks = self.doc.get("networks") or {}
        self.check_keys()

    def check_keys(self):
        for key in self.doc:
            if key not in ("name", "services", "networks") and not key.startswith("x-"):
                raise ComposeError(f"top-level key '{key}' is not implemented")
        for svc, desc in self.services.items():
            unknown = set(desc) - SERVICE_KEYS
            if unknown:
                raise ComposeError(f"service {svc}: keys not implemented: {sorted(unknown)}")
            unknown = set(desc.get("build") or {}) - BUILD_KEYS
            if unknown:
                raise ComposeError(f"service {svc}: build keys not implemented: {sorted(unknown)}")
            for net in desc.get("networks") or {}:
                if net not in self.networks:
                    raise ComposeError(f"service {svc}: network '{net}' is not defined")
            for dep in self.depends_on(svc):
                if dep not in self.services:
                    raise ComposeError(f"service {svc}: depends on unknown service '{dep}'")
        for net, desc in self.networks.items():
            unknown = set(desc or {}) - NETWORK_KEYS
            if unknown:
                raise ComposeError(f"network {net}: keys not implemented: {sorted(unknown)}")

    def depends_on(self, svc):
        """{dependency: condition} of a service."""
        deps = self.services[svc].get("depends_on") or {}
        if isinstance(deps, list):
            return {d: "service_started" for d in deps}
        out = {}
        for dep, desc in deps.items():
            cond = (desc or {}).get("condition", "service_started")
            if cond not in ("service_started", "service_healthy"):
                raise ComposeError(f"service {svc}: depends_on condition '{cond}' not implemented")
            out[dep] = cond
        return out

    def closure(self, wanted):
        """The services to start for `wanted`, dependencies first."""
        order, seen = [], set()

        def visit(svc, path):
            if svc not in self.services:
                raise ComposeError(f"no service '{svc}' in the file")
            if svc in path:
                raise ComposeError(f"dependency cycle through '{svc}'")
            if svc in seen:
                return
            for dep in self.depends_on(svc):
                visit(dep, path + [svc])
            seen.add(svc)
            order.append(svc)

        for svc in wanted:
            visit(svc, [])
        return order

    def container(self, svc):
        return f"{self.name}-{svc}"

    def network(self, net):
        return f"{self.name}-{net}"

    def build(self, services):
        done = set()
        for svc in services:
            desc = self.services[svc]
            build = desc.get("build")
            if not build:
                continue
            image = desc.get("image") or f"{self.name}-{svc}"
            key = (image, build.get("target"))
            if key in done:
                continue
            done.add(key)
            context = os.path.join(self.dir, build.get("context", "."))
            args = ["build", "-f", os.path.join(context, build.get("dockerfile", "Containerfile")),
                    "-t", image] + self.build_options
            if build.get("target"):
                args += ["--target", build["target"]]
            print(f"== building {image} (target {build.get('target', 'last')})", flush=True)
            podman(args + [context])

    def create_networks(self, services):
        for net in dict.fromkeys(n for s in services for n in (self.services[s].get("networks") or {})):
            name = self.network(net)
            if podman(["network", "exists", name], check=False).returncode == 0:
                continue
            desc = self.networks[net] or {}
            args = ["network", "create", "--disable-dns", "--label", f"{LABEL}={self.name}"]
            if desc.get("internal"):
                args.append("--internal")
            for cfg in ((desc.get("ipam") or {}).get("config") or []):
                if "subnet" in cfg:
                    args += ["--subnet", cfg["subnet"]]
                if "gateway" in cfg:
                    args += ["--gateway", cfg["gateway"]]
            podman(args + [name], capture=True)

    def run(self, svc):
        desc = self.services[svc]
        image = desc.get("image") or f"{self.name}-{svc}"
        args = ["run", "-d", "--name", self.container(svc), "--label", f"{LABEL}={self.name}",
                "--pull=never"]
        for i, (net, ndesc) in enumerate((desc.get("networks") or {}).items()):
            opts = [f"interface_name=eth{i}"]
            if ndesc and ndesc.get("ipv4_address"):
                opts.insert(0, f"ip={ndesc['ipv4_address']}")
            args += ["--network", f"{self.network(net)}:{','.join(opts)}"]
        for cap in desc.get("cap_drop") or []:
            args += ["--cap-drop", cap]
        for cap in desc.get("cap_add") or []:
            args += ["--cap-add", cap]
        sysctls = desc.get("sysctls") or {}
        items = sysctls.items() if isinstance(sysctls, dict) else (s.split("=", 1) for s in sysctls)
        for key, value in items:
            args += ["--sysctl", f"{key}={value}"]
        for vol in desc.get("volumes") or []:
            parts = vol.split(":")
            if len(parts) not in (2, 3) or not parts[0].startswith((".", "/")):
                raise ComposeError(f"service {svc}: only bind mounts are implemented ('{vol}')")
            parts[0] = os.path.normpath(os.path.join(self.dir, parts[0]))
            args += ["-v", ":".join(parts)]
        args.append(image)
        cmd = desc.get("command")
        if isinstance(cmd, str):
            cmd = shlex.split(cmd)
        args += cmd or []
        print(f"== starting {self.container(svc)}", flush=True)
        podman(args, capture=True)

    def wait_healthy(self, svc):
        hc = self.services[svc].get("healthcheck")
        if not hc:
            raise ComposeError(f"service {svc}: service_healthy asked for, but it has no healthcheck")
        test = hc["test"]
        if isinstance(test, str):
            cmd = ["sh", "-c", test]
        elif test[0] == "CMD":
            cmd = test[1:]
        elif test[0] == "CMD-SHELL":
            cmd = ["sh", "-c", test[1]]
        else:
            raise ComposeError(f"service {svc}: healthcheck test {test[0]} not implemented")
        interval = seconds(hc.get("interval"), 30.0)
        timeout = seconds(hc.get("timeout"), 30.0)
        retries = int(hc.get("retries", 3))
        for _ in range(retries):
            try:
                res = subprocess.run(["podman", "exec", self.container(svc)] + cmd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     timeout=timeout, check=False)
                if res.returncode == 0:
                    return
            except subprocess.TimeoutExpired:
                pass
            time.sleep(interval)
        logs = podman(["logs", self.container(svc)], check=False, capture=True)
        raise ComposeError(f"service {svc} did not become healthy; its output:\n"
                           f"{logs.stdout}{logs.stderr}")

    def up(self, wanted, detach, build):
        order = self.closure(wanted)
        if build:
            self.build(order)
        self.create_networks(order)
        healthy_needed = {d for s in order for d, c in self.depends_on(s).items()
                          if c == "service_healthy"}
        for svc in order:
            self.run(svc)
            if svc in healthy_needed:
                self.wait_healthy(svc)
        if detach:
            return 0
        status = 0
        for svc in wanted:
            res = podman(["wait", self.container(svc)], capture=True)
            code = int(res.stdout.strip() or 1)
            logs = podman(["logs", self.container(svc)], check=False, capture=True)
            sys.stdout.write(logs.stdout)
            sys.stderr.write(logs.stderr)
            print(f"== {self.container(svc)} exited with status {code}", flush=True)
            status = status or code
        return status

    def down(self):
        names = podman(["ps", "-a", "--filter", f"label={LABEL}={self.name}", "--format",
                        "{{.Names}}"], capture=True).stdout.split()
        if names:
            podman(["rm", "-f", "-t", "0"] + names, capture=True)
        nets = podman(["network", "ls", "--filter", f"label={LABEL}={self.name}", "--format",
                       "{{.Name}}"], capture=True).stdout.split()
        if nets:
            podman(["network", "rm", "-f"] + nets, capture=True)
        print(f"== removed {len(names)} container(s) and {len(nets)} network(s) of {self.name}")
        return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description="Run compose.yaml with Podman alone.")
    p.add_argument("-f", "--file", default=os.path.join(here, "compose.yaml"))
    p.add_argument("-p", "--project-name")
    p.add_argument("--build-option", action="append", default=[],
                   help="extra option for `podman build` (repeatable), e.g. --network=host")
    sub = p.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up")
    up.add_argument("-d", "--detach", action="store_true")
    up.add_argument("--no-build", action="store_true")
    up.add_argument("services", nargs="+")
    build = sub.add_parser("build")
    build.add_argument("services", nargs="+")
    sub.add_parser("down")
    args = p.parse_args()
    try:
        proj = Project(args.file, args.project_name, args.build_option)
        if args.cmd == "up":
            return proj.up(args.services, args.detach, not args.no_build)
        if args.cmd == "build":
            proj.build(proj.closure(args.services))
            return 0
        return proj.down()
    except (ComposeError, OSError, yaml.YAMLError) as e:
        print(f"compose_podman: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
