"""The Compose adapter and its checks: failing and passing inputs, with lines."""

from __future__ import annotations

import pytest

from glasshouse.iac.adapters.compose import ADAPTER
from glasshouse.iac.checks.compose import CHECKS
from glasshouse.iac.model import AdapterError, Resource


def parse(text: str) -> list[Resource]:
    return ADAPTER.parse("compose.yml", text.encode())


def findings(text: str) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    for resource in parse(text):
        for check in CHECKS:
            if check.applies(resource):
                for violation in check.evaluate(resource):
                    found.setdefault(check.id, []).append(violation.line)
    return found


def service(body: str) -> str:
    """A one-service file; ``body`` starts on line 4."""
    return "services:\n  app:\n    image: nginx:1.25\n" + body


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("docker-compose.yml", True),
        ("docker-compose.yaml", True),
        ("compose.yml", True),
        ("compose.yaml", True),
        ("docker-compose.prod.yml", True),
        ("docker-compose.override.yaml", True),
        ("compose.json", False),
        ("values.yml", False),
    ],
)
def test_matches(name: str, expected: bool) -> None:
    assert ADAPTER.matches(name, f"deploy/{name}") is expected


def test_services_are_resources_with_lines() -> None:
    resources = parse("version: '3'\nservices:\n  web:\n    image: a\n  db:\n    image: b\n")
    assert [(r.kind, r.name, r.line) for r in resources] == [
        ("service", "web", 4),
        ("service", "db", 6),
    ]


def test_yaml_without_services_is_not_compose() -> None:
    assert parse("name: something\nitems: [1, 2]\n") == []
    assert parse("- a\n- b\n") == []


def test_malformed_yaml_is_one_line_error() -> None:
    with pytest.raises(AdapterError) as error:
        parse("services:\n  app: [\n")
    assert "\n" not in str(error.value)


CASES = [
    (
        "compose-privileged",
        service("    privileged: true\n"),
        [4],
        service("    privileged: false\n"),
    ),
    (
        "compose-host-network",
        service("    network_mode: host\n"),
        [4],
        service("    network_mode: bridge\n"),
    ),
    (
        "compose-docker-socket",
        service(
            "    volumes:\n      - ./data:/data\n"
            "      - /var/run/docker.sock:/var/run/docker.sock:ro\n"
        ),
        [6],
        service("    volumes:\n      - ./data:/data\n      - logs:/var/log\n"),
    ),
    (
        "compose-docker-socket",
        service(
            "    volumes:\n      - type: bind\n        source: /var/run/docker.sock\n"
            "        target: /var/run/docker.sock\n"
        ),
        [5],
        service(
            "    volumes:\n      - type: volume\n        source: data\n        target: /data\n"
        ),
    ),
    (
        "compose-cap-add-dangerous",
        service("    cap_add:\n      - NET_BIND_SERVICE\n      - CAP_SYS_ADMIN\n      - ALL\n"),
        [6, 7],
        service("    cap_add:\n      - NET_BIND_SERVICE\n"),
    ),
    ("compose-host-pid", service("    pid: host\n"), [4], service("    pid: service:other\n")),
    ("compose-host-ipc", service("    ipc: host\n"), [4], service("    ipc: private\n")),
    (
        "compose-security-opt-unconfined",
        service(
            "    security_opt:\n      - no-new-privileges:true\n"
            "      - seccomp:unconfined\n      - apparmor=unconfined\n"
        ),
        [6, 7],
        service(
            "    security_opt:\n      - no-new-privileges:true\n      - seccomp:profile.json\n"
        ),
    ),
    (
        "compose-database-port-public",
        service(
            '    ports:\n      - "0.0.0.0:5432:5432"\n      - "3306:3306"\n      - 6379\n'
            "      - target: 27017\n        published: 27017\n"
        ),
        [5, 6, 7, 8],
        service(
            '    ports:\n      - "127.0.0.1:5432:5432"\n      - "8080:80"\n'
            '      - "${BIND}:6379:6379"\n'
            "      - target: 27017\n        host_ip: 127.0.0.1\n"
        ),
    ),
]


@pytest.mark.parametrize(("check_id", "failing", "lines", "passing"), CASES)
def test_check_fails_and_passes(
    check_id: str, failing: str, lines: list[int], passing: str
) -> None:
    assert findings(failing).get(check_id) == lines
    assert check_id not in findings(passing)


def test_every_check_has_a_case_and_a_unique_id() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("compose-") for i in ids)
    assert set(ids) == {case[0] for case in CASES}


def test_interpolated_values_are_not_guessed() -> None:
    assert findings(service("    privileged: ${PRIV}\n    network_mode: ${NET}\n")) == {}
