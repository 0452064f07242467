"""The Dockerfile adapter and its checks: failing and passing inputs, with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.iac.adapters.dockerfile import ADAPTER
from glasshouse.iac.checks.dockerfile import CHECKS
from glasshouse.iac.model import UNKNOWN, AdapterError, Resource

DATA = Path(__file__).parent.parent / "data" / "iac" / "docker"
SAFE_TAIL = "USER app\nHEALTHCHECK CMD true\n"
PINNED = "FROM alpine:3.19@sha256:" + "a" * 64 + "\n"


def parse(text: str) -> list[Resource]:
    return ADAPTER.parse("Dockerfile", text.encode())


def findings(text: str) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    for resource in parse(text):
        for check in CHECKS:
            if check.applies(resource):
                for violation in check.evaluate(resource):
                    found.setdefault(check.id, []).append(violation.line)
    return found


def instructions(resource: Resource) -> list[tuple[str, object, int | None]]:
    return [
        (i.get("instruction").plain(), i.get("arguments").plain(), i.line)  # type: ignore[union-attr]
        for i in resource.body.get("instructions").elements()  # type: ignore[union-attr]
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dockerfile", True),
        ("Dockerfile.prod", True),
        ("api.Dockerfile", True),
        ("Containerfile", True),
        ("dockerfile.md", False),  # documentation about Dockerfiles
        ("Dockerfiles", False),
        ("compose.yml", False),
    ],
)
def test_matches(name: str, expected: bool) -> None:
    assert ADAPTER.matches(name, f"x/{name}") is expected


def test_continuation_comments_and_json_form() -> None:
    (stage,) = parse(
        "FROM alpine:3.19\n"
        "RUN apk add \\\n"
        "    # a comment inside\n"
        "    curl \\\n"
        "    git\n"
        'CMD ["sh", "-c", "echo hi"]\n'
    )
    assert instructions(stage) == [
        ("FROM", "alpine:3.19", 1),
        ("RUN", "apk add curl git", 2),
        ("CMD", "sh -c echo hi", 6),
    ]
    cmd = stage.body.get("instructions", 2)
    assert cmd is not None
    assert cmd.get("form").plain() == "exec"
    assert cmd.get("argv").plain() == ["sh", "-c", "echo hi"]  # type: ignore[union-attr]


def test_escape_directive() -> None:
    (stage,) = parse("# escape=`\nFROM mcr.example/windows:1\nRUN dir `\n  c:\\\n")
    assert instructions(stage)[1] == ("RUN", "dir c:\\", 3)


def test_heredoc() -> None:
    (stage,) = parse(
        "FROM alpine:3.19\nRUN <<EOF\nset -e\ncurl https://x.example | sh\nEOF\nUSER app\n"
    )
    run = instructions(stage)[1]
    assert run[0] == "RUN"
    assert run[2] == 2
    assert "curl https://x.example | sh" in str(run[1])
    assert instructions(stage)[2] == ("USER", "app", 6)
    assert findings("FROM alpine:3.19\nRUN <<EOF\ncurl https://x | bash\nEOF\n")[
        "docker-curl-pipe-shell"
    ] == [2]


def test_arg_expansion_with_defaults_and_unknowns() -> None:
    build, final = parse(
        "ARG BASE=python\n"
        "ARG VERSION=3.11\n"
        "ARG TAG\n"
        "FROM ${BASE}:$VERSION AS build\n"
        "ARG VERSION\n"
        "ARG HOME_DIR=/srv\n"
        "WORKDIR ${HOME_DIR}/app-${VERSION}\n"
        "ENV MODE=${UNSET:-prod}\n"
        "LABEL mode=$MODE\n"
        "USER ${RUNTIME_USER}\n"
        "FROM alpine:${TAG}\n"
    )
    assert build.name == "build"
    assert build.body.get("image").plain() == "python:3.11"
    assert instructions(build)[3] == ("WORKDIR", "/srv/app-3.11", 7)
    assert instructions(build)[5] == ("LABEL", "mode=prod", 9)
    assert instructions(build)[6] == ("USER", "", 10)  # never declared: empty, as Docker
    assert final.name == "1"
    assert final.body.get("image").plain() is UNKNOWN
    assert [r.context["final"] for r in (build, final)] == [False, True]
    preamble = build.body.get("preamble")
    assert preamble is not None
    assert len(preamble.plain()) == 3


def test_unknown_arg_is_neither_finding_nor_pass() -> None:
    found = findings("ARG IMAGE\nFROM $IMAGE\nARG RUNAS\nUSER $RUNAS\nHEALTHCHECK CMD true\n")
    assert "docker-base-image-unpinned" not in found
    assert "docker-base-image-no-digest" not in found
    assert "docker-root-user" not in found


def test_multi_stage_inherits_user_and_skips_stage_bases() -> None:
    base = PINNED.replace("\n", " AS base\n")
    resources = parse(base + SAFE_TAIL + "FROM base\nRUN make\n")
    assert [(r.name, r.line) for r in resources] == [("base", 1), ("1", 4)]
    assert resources[1].body.get("parent_stage").plain() == "base"  # type: ignore[union-attr]
    assert findings(base + SAFE_TAIL + "FROM base\n") == {}  # USER and HEALTHCHECK inherited
    # only the final stage is judged for root: a builder may run as root
    assert findings("FROM golang:1.22 AS build\n" + PINNED + SAFE_TAIL) == {
        "docker-base-image-no-digest": [1]
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01ELF", "binary"),
        (b"\xff\xfe\xfa", "UTF-8"),
        (b"RUN echo hi\nFROM alpine\n", "line 1: RUN before the first FROM"),
        (b"FROM alpine\nRUN <<EOF\necho\n", "line 2: heredoc EOF is never closed"),
        (b"FROM alpine\nFROBNICATE x\n", "line 2: unknown instruction FROBNICATE"),
        (b"# only a comment\n", "no FROM"),
        (b"FROM alpine\nENV A='unterminated\n", "line 2"),
    ],
)
def test_malformed_input_is_one_line_error(data: bytes, message: str) -> None:
    with pytest.raises(AdapterError) as error:
        ADAPTER.parse("Dockerfile", data)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


CASES = [
    # (check id, failing input, line, passing input)
    ("docker-root-user", PINNED + "HEALTHCHECK CMD true\n", 1, PINNED + SAFE_TAIL),
    ("docker-root-user", PINNED + "USER app\nUSER 0:0\n", 3, PINNED + "USER 1000:1000\n"),
    (
        "docker-add-url",
        PINNED + "ADD https://example.com/a.tgz /opt/\n",
        2,
        PINNED + "ADD --checksum=sha256:abc https://example.com/a.tgz /opt/\nADD a.tgz /opt/\n",
    ),
    (
        "docker-curl-pipe-shell",
        PINNED + "RUN apt-get update && \\\n  wget -qO- https://x.example/i.sh | sudo bash -s\n",
        2,
        PINNED + "RUN curl -fsSLo i.sh https://x.example/i.sh && sha256sum -c i.sum && sh i.sh\n",
    ),
    (
        "docker-curl-pipe-shell",
        PINNED + 'RUN sh -c "$(curl -fsSL https://x.example/i.sh)"\n',
        2,
        PINNED + "RUN curl -s https://x.example/a.json | jq .\n",
    ),
    (
        "docker-secret-in-env",
        PINNED + "ENV DB_PASSWORD=hunter2 LOG=1\n",
        2,
        PINNED + "ENV DB_PASSWORD_FILE=/run/secrets/db DB_PASSWORD=$DB_PASSWORD\n",
    ),
    (
        "docker-secret-in-arg",
        "ARG GITHUB_TOKEN=ghp_notreal\n" + PINNED,
        1,
        "ARG GITHUB_TOKEN\n" + PINNED,
    ),
    ("docker-base-image-unpinned", "FROM ubuntu\n", 1, PINNED),
    ("docker-base-image-unpinned", "FROM localhost:5000/app:latest\n", 1, "FROM scratch\n"),
    (
        "docker-base-image-no-digest",
        "FROM registry.example:5000/team/app:1.2\n",
        1,
        PINNED,
    ),
    (
        "docker-sudo",
        PINNED + "RUN apt-get update && sudo apt-get install -y curl\n",
        2,
        PINNED + "RUN apt-get install -y sudo\n",
    ),
    (
        "docker-chmod-777",
        PINNED + "RUN mkdir /data && chmod -R 777 /data\n",
        2,
        PINNED + "RUN chmod 755 /data\n",
    ),
    ("docker-chmod-777", PINNED + "COPY --chmod=777 a /a\n", 2, PINNED + "COPY --chmod=644 a /a\n"),
    ("docker-healthcheck-missing", PINNED + "USER app\n", 1, PINNED + SAFE_TAIL),
    (
        "docker-healthcheck-missing",
        PINNED + "USER app\nHEALTHCHECK NONE\n",
        3,
        PINNED + "USER app\nHEALTHCHECK --interval=30s CMD wget -q localhost\n",
    ),
    ("docker-expose-ssh", PINNED + "EXPOSE 80 22/tcp\n", 2, PINNED + "EXPOSE 80 2222\n"),
]


@pytest.mark.parametrize(("check_id", "failing", "line", "passing"), CASES)
def test_check_fails_and_passes(check_id: str, failing: str, line: int, passing: str) -> None:
    assert findings(failing).get(check_id) == [line]
    assert check_id not in findings(passing)


def test_every_check_has_a_case_and_a_unique_id() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("docker-") for i in ids)
    assert set(ids) == {case[0] for case in CASES}


def test_secret_value_never_in_message() -> None:
    (stage,) = parse(PINNED + "ENV API_KEY=s3cr3t-value\n")
    messages = [v.message for c in CHECKS if c.applies(stage) for v in c.evaluate(stage)]
    assert any("API_KEY" in m for m in messages)
    assert not any("s3cr3t" in m for m in messages)


def test_real_world_shaped_file() -> None:
    found = findings((DATA / "Dockerfile").read_text())
    assert found["docker-root-user"] == [2]
    assert found["docker-curl-pipe-shell"] == [3]


def test_source_files_named_after_the_format_are_not_dockerfiles() -> None:
    from glasshouse.iac.adapters.dockerfile import matches

    for name in ("dockerfile.py", "Dockerfile.md", "dockerfile.j2", "Dockerfile.yaml"):
        assert not matches(name, f"src/{name}"), name
    for name in ("Dockerfile", "Dockerfile.dev", "api.Dockerfile", "Containerfile"):
        assert matches(name, name), name
