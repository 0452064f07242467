"""Docker Compose checks: they read the ``service`` resources of ``adapters/compose.py``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from glasshouse.iac import ports
from glasshouse.iac.check import Check, Example
from glasshouse.iac.model import Resource, Violation
from glasshouse.model.severity import Severity

FORMAT = "compose"
_SERVICE = frozenset({"service"})
_DATABASE_PORTS = ports.names(ports.DATABASE_PORTS)
_ALL_INTERFACES = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 - matched, not bound


def _text(resource: Resource, key: str) -> tuple[str, int | None] | None:
    node = resource.body.get(key)
    if node is None:
        return None
    text = node.text()
    return (text.lower(), node.line) if text is not None else None


def _privileged(resource: Resource) -> Iterator[Violation]:
    value = _text(resource, "privileged")
    if value is not None and value[0] == "true":
        yield Violation(value[1], "privileged: true gives the container every capability")


def _equals(key: str, expected: str, message: str) -> Callable[[Resource], Iterator[Violation]]:
    def evaluate(resource: Resource) -> Iterator[Violation]:
        value = _text(resource, key)
        if value is not None and value[0] == expected:
            yield Violation(value[1], message)

    return evaluate


def _docker_socket(resource: Resource) -> Iterator[Violation]:
    volumes = resource.body.get("volumes")
    for volume in volumes.elements() if volumes is not None else ():
        source: str | None = None
        if isinstance(volume.value, str):
            source = volume.value.split(":", 1)[0]
        else:
            node = volume.get("source")
            source = node.text() if node is not None else None
        if source is not None and source.rstrip("/").endswith("/docker.sock"):
            yield Violation(volume.line, f"the Docker socket {source} is mounted")


_DANGEROUS_CAPS = frozenset({"ALL", "SYS_ADMIN", "SYS_MODULE"})


def _cap_add(resource: Resource) -> Iterator[Violation]:
    caps = resource.body.get("cap_add")
    for cap in caps.elements() if caps is not None else ():
        text = cap.text()
        if text is not None and text.upper().removeprefix("CAP_") in _DANGEROUS_CAPS:
            yield Violation(cap.line, f"cap_add {text} grants host-level power")


_UNCONFINED = re.compile(r"^(seccomp|apparmor)\s*[:=]\s*unconfined$", re.IGNORECASE)


def _unconfined(resource: Resource) -> Iterator[Violation]:
    options = resource.body.get("security_opt")
    for option in options.elements() if options is not None else ():
        text = option.text()
        if text is not None and _UNCONFINED.match(text.strip()):
            yield Violation(option.line, f"security_opt {text} turns off a kernel guard")


def _short_port(spec: str) -> tuple[str, str] | None:
    """(host IP, container port part) of a short ``ports`` entry."""
    spec = spec.strip().split("/", 1)[0]
    host_ip = ""
    if spec.startswith("["):  # [::1]:5432:5432
        host_ip, _, spec = spec[1:].partition("]")
        spec = spec.lstrip(":")
        return host_ip, spec.rsplit(":", 1)[-1]
    parts = spec.split(":")
    if len(parts) == 3:
        host_ip = parts[0]
    elif len(parts) > 3:
        return None
    return host_ip, parts[-1]


def _covers(container: str, port: int) -> bool:
    low, _, high = container.partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        return False
    return int(low) <= port <= int(high or low)


def _database_ports(resource: Resource) -> Iterator[Violation]:
    ports = resource.body.get("ports")
    for entry in ports.elements() if ports is not None else ():
        parsed: tuple[str, str] | None = None
        if isinstance(entry.value, dict):
            target, host = entry.get("target"), entry.get("host_ip")
            host_ip = (host.text() or "") if host is not None else ""
            parsed = (host_ip, (target.text() or "") if target is not None else "")
        elif entry.text() is not None:
            parsed = _short_port(entry.text() or "")
        if parsed is None or "$" in parsed[0] or parsed[0] not in _ALL_INTERFACES:
            continue
        for port, name in _DATABASE_PORTS.items():
            if _covers(parsed[1], port):
                yield Violation(entry.line, f"{name} port {port} is published on every interface")


def _check(
    id: str,
    title: str,
    severity: Severity,
    fix: str,
    evaluate: Callable[[Resource], Iterable[Violation]],
    *,
    cwe: str,
    iso27001: tuple[str, ...],
    cis: tuple[str, ...] = (),
    failing: tuple[Example, ...],
    passing: tuple[Example, ...],
) -> Check:
    return Check(
        id=id,
        title=title,
        severity=severity,
        format=FORMAT,
        kinds=_SERVICE,
        fix=fix,
        evaluate=evaluate,
        cwe=cwe,
        iso27001=iso27001,
        cis=cis,
        failing=failing,
        passing=passing,
    )


def _cis(*sections: str) -> tuple[str, ...]:
    return tuple(f"CIS Docker Benchmark v1.6.0 {section}" for section in sections)


def _compose(text: str) -> Example:
    return Example("docker-compose.yml", text)


# An application and its database, hardened: it passes every Compose check.
HARDENED = _compose(
    """\
services:
  api:
    image: registry.example.com/shop/api:2.8.1
    read_only: true
    cap_drop: [ALL]
    security_opt:
      - no-new-privileges:true
    ports:
      - "8080:8080"
    depends_on: [db]
  db:
    image: postgres:16.3
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    ports:
      - "127.0.0.1:5432:5432"
    volumes:
      - db-data:/var/lib/postgresql/data
volumes:
  db-data:
"""
)

CHECKS: tuple[Check, ...] = (
    _check(
        "compose-privileged",
        "A service runs privileged",
        Severity.CRITICAL,
        "Remove `privileged: true`; add only the capabilities needed with `cap_add`.",
        _privileged,
        cwe="CWE-250",
        iso27001=("A.8.2", "A.8.9"),
        cis=_cis("5.5"),
        failing=(
            _compose(
                """\
services:
  agent:
    image: registry.example.com/ops/agent:1.4.0
    privileged: true
"""
            ),
        ),
        passing=(
            _compose(
                """\
services:
  agent:
    image: registry.example.com/ops/agent:1.4.0
    cap_drop: [ALL]
    cap_add: [NET_ADMIN]
"""
            ),
        ),
    ),
    _check(
        "compose-host-network",
        "A service shares the host network",
        Severity.HIGH,
        "Remove `network_mode: host`; publish the needed ports with `ports`.",
        _equals("network_mode", "host", "network_mode: host shares the host's network stack"),
        cwe="CWE-668",
        iso27001=("A.8.20", "A.8.22"),
        cis=_cis("5.10"),
        failing=(
            _compose(
                """\
services:
  proxy:
    image: traefik:v3.1
    network_mode: host
"""
            ),
        ),
        passing=(
            _compose(
                """\
services:
  proxy:
    image: traefik:v3.1
    ports:
      - "443:443"
"""
            ),
        ),
    ),
    _check(
        "compose-docker-socket",
        "The Docker socket is mounted into a service",
        Severity.CRITICAL,
        "Remove the /var/run/docker.sock volume (it is root on the host).",
        _docker_socket,
        cwe="CWE-250",
        iso27001=("A.8.2", "A.8.9"),
        cis=_cis("5.32"),
        failing=(
            _compose(
                """\
services:
  proxy:
    image: traefik:v3.1
    ports:
      - "443:443"
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
"""
            ),
        ),
        passing=(
            _compose(
                """\
services:
  proxy:
    image: traefik:v3.1
    ports:
      - "443:443"
    volumes:
      - ./traefik.yml:/etc/traefik/traefik.yml:ro
"""
            ),
        ),
    ),
    _check(
        "compose-cap-add-dangerous",
        "A service adds ALL, SYS_ADMIN or SYS_MODULE",
        Severity.HIGH,
        "Remove the capability from `cap_add`; add only narrow ones the service needs.",
        _cap_add,
        cwe="CWE-250",
        iso27001=("A.8.2",),
        cis=_cis("5.4"),
        failing=(
            _compose(
                """\
services:
  backup:
    image: registry.example.com/ops/backup:1.3.0
    cap_add:
      - SYS_ADMIN
"""
            ),
        ),
        passing=(
            _compose(
                """\
services:
  web:
    image: nginx:1.27.0
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE, CHOWN, SETUID, SETGID]
"""
            ),
        ),
    ),
    _check(
        "compose-host-pid",
        "A service shares the host PID namespace",
        Severity.HIGH,
        "Remove `pid: host` so the service keeps its own process namespace.",
        _equals("pid", "host", "pid: host lets the service see and signal host processes"),
        cwe="CWE-668",
        iso27001=("A.8.2", "A.8.9"),
        cis=_cis("5.16"),
        failing=(
            _compose(
                """\
services:
  node-exporter:
    image: prom/node-exporter:v1.8.1
    pid: host
"""
            ),
        ),
        passing=(HARDENED,),
    ),
    _check(
        "compose-host-ipc",
        "A service shares the host IPC namespace",
        Severity.HIGH,
        "Remove `ipc: host`; raise `shm_size` if the service needs more shared memory.",
        _equals("ipc", "host", "ipc: host shares the host's shared memory"),
        cwe="CWE-668",
        iso27001=("A.8.9",),
        cis=_cis("5.17"),
        failing=(
            _compose(
                """\
services:
  trainer:
    image: registry.example.com/ml/trainer:0.7.0
    ipc: host
"""
            ),
        ),
        passing=(
            _compose(
                """\
services:
  trainer:
    image: registry.example.com/ml/trainer:0.7.0
    shm_size: 2gb
"""
            ),
        ),
    ),
    _check(
        "compose-security-opt-unconfined",
        "A service turns off seccomp or AppArmor",
        Severity.HIGH,
        "Remove `seccomp:unconfined` / `apparmor:unconfined` from `security_opt`.",
        _unconfined,
        cwe="CWE-693",
        iso27001=("A.8.9",),
        cis=_cis("5.2", "5.22"),
        failing=(
            _compose(
                """\
services:
  debugger:
    image: registry.example.com/tools/debugger:2.0.0
    security_opt:
      - seccomp:unconfined
      - apparmor:unconfined
"""
            ),
        ),
        passing=(HARDENED,),
    ),
    _check(
        "compose-database-port-public",
        "A database port is published on every interface",
        Severity.MEDIUM,
        'Bind it to loopback (`"127.0.0.1:5432:5432"`) or drop the `ports` entry.',
        _database_ports,
        cwe="CWE-668",
        iso27001=("A.8.20", "A.8.22"),
        cis=_cis("5.14"),
        failing=(
            _compose(
                """\
services:
  db:
    image: postgres:16.3
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    ports:
      - "5432:5432"
"""
            ),
        ),
        passing=(HARDENED,),
    ),
)
