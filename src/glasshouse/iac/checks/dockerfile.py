"""Dockerfile checks: they read the ``stage`` resources of ``adapters/dockerfile.py``.

Unknown values (an ARG given only at build time) are never reported and never passed
by a guess: a check that needs one says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from glasshouse.iac.adapters.dockerfile import env_pairs
from glasshouse.iac.check import Check, Example
from glasshouse.iac.model import UNKNOWN, AdapterError, Node, Resource, Violation
from glasshouse.model.severity import Severity

FORMAT = "dockerfile"
_STAGE = frozenset({"stage"})


def _instructions(resource: Resource, *keywords: str, preamble: bool = False) -> Iterator[Node]:
    groups = [resource.body.get("instructions")]
    if preamble:
        groups.insert(0, resource.body.get("preamble"))
    for group in groups:
        for node in group.elements() if group is not None else ():
            keyword = node.get("instruction")
            if keyword is not None and keyword.text() in keywords:
                yield node


def _arguments(node: Node) -> str | None:
    value = node.get("arguments")
    return value.text() if value is not None else None


def _final(resource: Resource) -> bool:
    return bool(resource.context.get("final"))


# --- running as root --------------------------------------------------------------------


def _root_user(resource: Resource) -> Iterator[Violation]:
    if not _final(resource):
        return
    user = resource.body.get("user")
    if user is None:
        image = resource.body.get("image")
        if image is not None and image.value is not UNKNOWN and image.value == "scratch":
            return  # nothing to run a shell as
        yield Violation(resource.line, "the final stage sets no USER, so it runs as root")
        return
    name = _arguments(user)
    if name is None:
        return  # set from a build argument: unknown
    who = name.split(":", 1)[0].strip()
    if who in ("root", "0"):
        yield Violation(user.line, f"USER {name} runs the container as root")


# --- ADD from a URL ---------------------------------------------------------------------

_URL = re.compile(r"^(https?|ftp)://", re.IGNORECASE)


def _add_url(resource: Resource) -> Iterator[Violation]:
    for node in _instructions(resource, "ADD"):
        text = _arguments(node)
        if text is None:
            continue
        words = text.split("\n", 1)[0].split()
        if any(w.startswith("--checksum=") for w in words):
            continue  # the download is verified
        sources = [w for w in words if not w.startswith("--")][:-1]
        for source in sources:
            if _URL.match(source.strip("\"'")):
                yield Violation(node.line, f"ADD downloads {source} without a checksum")
                break


# --- curl | sh ----------------------------------------------------------------------------

_PIPE_TO_SHELL = re.compile(
    r"\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:/\S*/)?(?:ba|z|da|k|a)?sh\b"
    r"|\b(?:ba|z|da|k)?sh\s+(?:-\S+\s+)*(?:<\(|[\"']?\$\()\s*(?:curl|wget)\b",
)


def _curl_pipe_shell(resource: Resource) -> Iterator[Violation]:
    for node in _instructions(resource, "RUN"):
        text = _arguments(node)
        if text is not None and _PIPE_TO_SHELL.search(text):
            yield Violation(node.line, "RUN pipes a download straight into a shell")


# --- secrets in ENV and ARG ---------------------------------------------------------------

_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL"
    r"|AUTH_?KEY",
    re.IGNORECASE,
)
_NOT_A_SECRET = re.compile(r"_(FILE|PATH|DIR|URL|URI|ENDPOINT|HEADER|NAME|LENGTH)$", re.I)


def _secret_in(resource: Resource, keyword: str) -> Iterator[Violation]:
    for node in _instructions(resource, keyword, preamble=True):
        raw = node.get("raw")
        if raw is None or raw.text() is None:
            continue
        try:
            pairs = env_pairs(raw.text() or "", node.line or 0)
        except AdapterError:
            continue
        for name, value in pairs:
            if not value or "$" in value or not _SECRET_NAME.search(name):
                continue  # no value, or one passed in at build time
            if _NOT_A_SECRET.search(name):
                continue
            yield Violation(
                node.line, f"{keyword} {name} bakes a literal secret into the image layers"
            )


def _secret_env(resource: Resource) -> Iterator[Violation]:
    return _secret_in(resource, "ENV")


def _secret_arg(resource: Resource) -> Iterator[Violation]:
    return _secret_in(resource, "ARG")


# --- base images --------------------------------------------------------------------------


def _image_reference(resource: Resource) -> tuple[str, str | None, bool] | None:
    """(image, tag or None, pinned by digest) of a stage's base image; None when the base
    is unknown, ``scratch`` or an earlier stage."""
    image = resource.body.get("image")
    if image is None or image.value is UNKNOWN or resource.body.get("parent_stage"):
        return None
    ref = str(image.value)
    if ref == "scratch":
        return None
    name, at, _digest = ref.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.partition(":")[2] if ":" in last else None
    return ref, tag, bool(at)


def _base_unpinned(resource: Resource) -> Iterator[Violation]:
    ref = _image_reference(resource)
    if ref is not None and not ref[2] and ref[1] in (None, "latest"):
        yield Violation(resource.line, f"base image {ref[0]} floats: no tag, or latest")


def _base_no_digest(resource: Resource) -> Iterator[Violation]:
    ref = _image_reference(resource)
    if ref is not None and not ref[2] and ref[1] not in (None, "latest"):
        yield Violation(resource.line, f"base image {ref[0]} is not pinned by digest")


# --- RUN hygiene --------------------------------------------------------------------------

_SUDO = re.compile(r"(?:^|[;&|(`]|\bthen|\bdo|\belse)\s*sudo\b", re.MULTILINE)
_CHMOD_777 = re.compile(r"\bchmod\s+(?:-\S+\s+)*(?:0?777|a\+rwx|ugo\+rwx)\b")


def _sudo(resource: Resource) -> Iterator[Violation]:
    for node in _instructions(resource, "RUN"):
        text = _arguments(node)
        if text is not None and _SUDO.search(text):
            yield Violation(node.line, "RUN uses sudo")


def _chmod_777(resource: Resource) -> Iterator[Violation]:
    for node in _instructions(resource, "RUN", "COPY", "ADD"):
        text = _arguments(node)
        if text is None:
            continue
        if _CHMOD_777.search(text) or re.search(r"--chmod=0?777\b", text.split("\n", 1)[0]):
            yield Violation(node.line, "files are made writable by every user (777)")


# --- the final image ----------------------------------------------------------------------


def _healthcheck(resource: Resource) -> Iterator[Violation]:
    if not _final(resource):
        return
    health = resource.body.get("healthcheck")
    if health is None:
        yield Violation(resource.line, "the final stage has no HEALTHCHECK")
        return
    text = _arguments(health)
    if text is not None and text.strip().upper() == "NONE":
        yield Violation(health.line, "HEALTHCHECK NONE disables the health check")


def _expose_ssh(resource: Resource) -> Iterator[Violation]:
    for node in _instructions(resource, "EXPOSE"):
        text = _arguments(node)
        if text is None:
            continue
        for port in text.split():
            if port.split("/", 1)[0] == "22":
                yield Violation(node.line, "EXPOSE 22 publishes SSH from the container")


def _check(
    id: str,
    title: str,
    severity: Severity,
    fix: str,
    evaluate: Callable[[Resource], Iterable[Violation]],
    *refs: str,
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
        kinds=_STAGE,
        fix=fix,
        evaluate=evaluate,
        references=tuple(refs),
        cwe=cwe,
        iso27001=iso27001,
        cis=cis,
        failing=failing,
        passing=passing,
    )


def _cis(*sections: str) -> tuple[str, ...]:
    return tuple(f"CIS Docker Benchmark v1.6.0 {section}" for section in sections)


def _dockerfile(text: str) -> Example:
    return Example("Dockerfile", text)


# Digests in the examples are placeholders of the right shape, not real images.
_DIGEST = "sha256:" + "0123456789abcdef" * 4

# A multi-stage build that passes every Dockerfile check: pinned bases, a non-root user,
# a health check, nothing fetched unverified.
HARDENED = _dockerfile(
    f"""\
FROM golang:1.22.5@{_DIGEST} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/api ./cmd/api

FROM gcr.io/distroless/static-debian12:nonroot@{_DIGEST}
COPY --from=build /out/api /usr/local/bin/api
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/local/bin/api", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/api"]
"""
)

# The Dockerfile of many a first deployment.
PLAIN_PYTHON = _dockerfile(
    """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "app.py"]
"""
)

CHECKS: tuple[Check, ...] = (
    _check(
        "docker-root-user",
        "The image runs as root",
        Severity.HIGH,
        "Add `USER <non-root user>` (a name or a UID other than 0) to the final stage.",
        _root_user,
        cwe="CWE-250",
        iso27001=("A.8.2", "A.8.9"),
        cis=_cis("4.1"),
        failing=(
            PLAIN_PYTHON,
            _dockerfile(
                """\
FROM node:20.15.1-bookworm-slim
WORKDIR /srv
COPY --chown=node:node . .
USER root
CMD ["node", "server.js"]
"""
            ),
        ),
        passing=(
            HARDENED,
            _dockerfile(
                """\
FROM python:3.12-slim
RUN useradd --system --uid 10001 app
WORKDIR /app
COPY . .
USER app
CMD ["python", "app.py"]
"""
            ),
        ),
    ),
    _check(
        "docker-add-url",
        "ADD downloads a remote file without verifying it",
        Severity.MEDIUM,
        "Download with RUN and verify a checksum, or use `ADD --checksum=sha256:...`.",
        _add_url,
        cwe="CWE-494",
        iso27001=("A.8.19", "A.8.28"),
        cis=_cis("4.9"),
        failing=(
            _dockerfile(
                """\
FROM alpine:3.20
ADD https://github.com/example/tool/releases/download/v1.2.0/tool-linux-amd64 /usr/local/bin/tool
RUN chmod 0755 /usr/local/bin/tool
"""
            ),
        ),
        passing=(
            _dockerfile(
                f"""\
FROM alpine:3.20
ADD --checksum={_DIGEST} \\
    https://github.com/example/tool/releases/download/v1.2.0/tool-linux-amd64 /usr/local/bin/tool
RUN chmod 0755 /usr/local/bin/tool
"""
            ),
        ),
    ),
    _check(
        "docker-curl-pipe-shell",
        "A download is piped straight into a shell",
        Severity.HIGH,
        "Download the script to a file, verify its checksum or signature, then run it.",
        _curl_pipe_shell,
        cwe="CWE-494",
        iso27001=("A.8.19", "A.8.28"),
        failing=(
            _dockerfile(
                """\
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
"""
            ),
        ),
        passing=(
            _dockerfile(
                """\
FROM debian:12-slim
ARG SETUP_SHA256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN curl -fsSLo /tmp/setup.sh https://deb.nodesource.com/setup_20.x \\
 && echo "${SETUP_SHA256}  /tmp/setup.sh" | sha256sum -c - \\
 && bash /tmp/setup.sh && rm /tmp/setup.sh
"""
            ),
        ),
    ),
    _check(
        "docker-secret-in-env",
        "A secret is set in ENV",
        Severity.HIGH,
        "Remove the value; pass it at run time or mount it with `RUN --mount=type=secret`.",
        _secret_env,
        cwe="CWE-798",
        iso27001=("A.5.17", "A.8.12"),
        cis=_cis("4.10"),
        failing=(
            _dockerfile(
                """\
FROM python:3.12-slim
ENV DATABASE_HOST=db.internal DATABASE_PASSWORD=changeme
CMD ["python", "app.py"]
"""
            ),
        ),
        passing=(
            _dockerfile(
                """\
FROM python:3.12-slim
ENV DATABASE_HOST=db.internal DATABASE_PASSWORD_FILE=/run/secrets/db_password
CMD ["python", "app.py"]
"""
            ),
        ),
    ),
    _check(
        "docker-secret-in-arg",
        "A secret has a default in ARG",
        Severity.HIGH,
        "Remove the default; use `RUN --mount=type=secret` (build args stay in history).",
        _secret_arg,
        cwe="CWE-798",
        iso27001=("A.5.17", "A.8.12"),
        cis=_cis("4.10"),
        failing=(
            _dockerfile(
                """\
FROM node:20.15.1-bookworm-slim
ARG NPM_TOKEN=replace-me
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
"""
            ),
        ),
        passing=(
            _dockerfile(
                """\
FROM node:20.15.1-bookworm-slim
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
"""
            ),
        ),
    ),
    _check(
        "docker-base-image-unpinned",
        "The base image has no tag or uses latest",
        Severity.MEDIUM,
        "Pin the base image to a version tag and a digest: `FROM image:1.2.3@sha256:...`.",
        _base_unpinned,
        cwe="CWE-829",
        iso27001=("A.8.19", "A.8.32"),
        failing=(
            _dockerfile(
                """\
FROM node:latest
COPY . /srv
CMD ["node", "/srv/server.js"]
"""
            ),
            _dockerfile(
                """\
FROM ubuntu
RUN apt-get update && apt-get install -y --no-install-recommends nginx
"""
            ),
        ),
        passing=(HARDENED,),
    ),
    _check(
        "docker-base-image-no-digest",
        "The base image is not pinned by digest",
        Severity.LOW,
        "Append the digest: `FROM image:tag@sha256:...`.",
        _base_no_digest,
        cwe="CWE-829",
        iso27001=("A.8.19", "A.8.32"),
        failing=(PLAIN_PYTHON,),
        passing=(HARDENED,),
    ),
    _check(
        "docker-sudo",
        "RUN uses sudo",
        Severity.MEDIUM,
        "Drop sudo: run the step before `USER`, or as the user that needs it.",
        _sudo,
        cwe="CWE-250",
        iso27001=("A.8.2",),
        failing=(
            _dockerfile(
                """\
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y --no-install-recommends sudo
USER ubuntu
RUN sudo apt-get install -y --no-install-recommends git
"""
            ),
        ),
        passing=(
            _dockerfile(
                """\
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y --no-install-recommends git
USER ubuntu
"""
            ),
        ),
    ),
    _check(
        "docker-chmod-777",
        "Files are made writable by every user",
        Severity.MEDIUM,
        "Grant the least mode needed (e.g. 755 for directories, 644 for files).",
        _chmod_777,
        cwe="CWE-732",
        iso27001=("A.8.3", "A.8.9"),
        failing=(
            _dockerfile(
                """\
FROM php:8.3-apache
COPY . /var/www/html
RUN chmod -R 777 /var/www/html/storage
"""
            ),
        ),
        passing=(
            _dockerfile(
                """\
FROM php:8.3-apache
COPY --chown=www-data:www-data . /var/www/html
RUN chmod -R 750 /var/www/html/storage
"""
            ),
        ),
    ),
    _check(
        "docker-healthcheck-missing",
        "The image has no HEALTHCHECK",
        Severity.LOW,
        "Add `HEALTHCHECK CMD <probe>` to the final stage.",
        _healthcheck,
        cwe="CWE-754",
        iso27001=("A.8.16",),
        cis=_cis("4.6"),
        failing=(PLAIN_PYTHON,),
        passing=(HARDENED,),
    ),
    _check(
        "docker-expose-ssh",
        "The image exposes SSH (port 22)",
        Severity.MEDIUM,
        "Remove `EXPOSE 22` and the SSH server; use `docker exec` to reach the container.",
        _expose_ssh,
        cwe="CWE-668",
        iso27001=("A.8.20", "A.8.9"),
        cis=_cis("5.7"),
        failing=(
            _dockerfile(
                """\
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y --no-install-recommends openssh-server
EXPOSE 22 8080
CMD ["/usr/sbin/sshd", "-D"]
"""
            ),
        ),
        passing=(HARDENED,),
    ),
)
