"""Dockerfiles (and Containerfiles) into one ``stage`` resource per ``FROM``.

A hand-written, pure parser: parser directives (``# escape=``), comments, line
continuations, heredocs, JSON (exec) and shell forms, multi-stage builds and ARG/ENV
expansion. Each stage's body holds its ``instructions``, each
``{instruction, arguments, raw, form, line}``; the ``arguments`` are the text after the
expansion Docker itself performs (``FROM``, ``ADD``, ``COPY``, ``ENV``, ``ARG``,
``EXPOSE``, ``USER``, ``WORKDIR``, ...). ``RUN``, ``CMD``, ``ENTRYPOINT``, ``SHELL`` and
``HEALTHCHECK`` are left as written: their shell expands them when the container runs.
A reference to an ARG without a value (one given only at build time) makes the arguments
``UNKNOWN``: never guessed. Instructions before the first ``FROM`` (global ARGs) are the
``preamble`` of the first stage.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from glasshouse.iac.adapter import Adapter
from glasshouse.iac.model import UNKNOWN, AdapterError, Node, Resource

FORMAT = "dockerfile"

INSTRUCTIONS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
        "WORKDIR",
    }
)  # fmt: skip
_EXPANDED = frozenset(
    {
        "ADD", "ARG", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "ONBUILD", "STOPSIGNAL",
        "USER", "VOLUME", "WORKDIR",
    }
)  # fmt: skip
_EXEC_FORM = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"})
_HEREDOC_FORM = frozenset({"RUN", "COPY", "ADD"})
# Set by BuildKit for every build; their values depend on the machine building.
_AUTOMATIC = frozenset(
    {
        "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM",
        "BUILDOS", "BUILDARCH", "BUILDVARIANT",
    }
)  # fmt: skip
_DIRECTIVE = re.compile(r"#\s*([A-Za-z]+)\s*=\s*(\S*)\s*$")
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"

Value = Any  # str | UNKNOWN


# Source files named after the format (``dockerfile.py``, ``Dockerfile.md`` docs) are
# not Dockerfiles, whatever their prefix.
_NOT_DOCKERFILE_SUFFIXES = (
    ".py",
    ".go",
    ".rs",
    ".js",
    ".ts",
    ".java",
    ".rb",
    ".md",
    ".rst",
    ".txt",
    ".json",
    ".yaml",
    ".yml",
    ".toml",
    ".pyc",
    ".html",
    ".j2",
    ".tmpl",
    ".erb",
)


def matches(name: str, relative_path: str) -> bool:
    lower = name.lower()
    if lower.endswith(_NOT_DOCKERFILE_SUFFIXES):
        return False
    return (
        lower in ("dockerfile", "containerfile")
        or lower.startswith(("dockerfile.", "containerfile."))
        or lower.endswith((".dockerfile", ".containerfile"))
    )


@dataclass(slots=True)
class _Stage:
    index: int
    line: int
    image: Value
    alias: str | None
    parent: str | None  # the earlier stage it builds on
    variables: dict[str, Value]
    instructions: list[Node] = field(default_factory=list)
    user: Node | None = None
    healthcheck: Node | None = None


def parse(path: str, data: bytes) -> list[Resource]:
    if b"\x00" in data:
        raise AdapterError("binary file, not a Dockerfile")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AdapterError(f"not UTF-8 text (byte {exc.start})") from None
    lines = text.splitlines()
    escape, start = _directives(lines)
    global_vars: dict[str, Value] = {}
    preamble: list[Node] = []
    stages: list[_Stage] = []
    for keyword, raw, line, heredocs in _logical_lines(lines, start, escape):
        if keyword not in INSTRUCTIONS:
            raise AdapterError(f"line {line}: unknown instruction {keyword}")
        if keyword == "FROM":
            stages.append(_new_stage(raw, line, escape, global_vars, stages))
            preamble_or_stage: list[Node] = stages[-1].instructions
            arguments: Value = _expand(raw, global_vars, escape)
        elif not stages:
            if keyword != "ARG":
                raise AdapterError(f"line {line}: {keyword} before the first FROM")
            arguments = _declare_args(raw, line, escape, global_vars, None)
            preamble_or_stage = preamble
        else:
            stage = stages[-1]
            variables = stage.variables
            preamble_or_stage = stage.instructions
            if keyword == "ARG":
                arguments = _declare_args(raw, line, escape, variables, global_vars)
            elif keyword in _EXPANDED:
                arguments = _expand(raw, variables, escape)
                if keyword == "ENV":
                    _set_env(raw, line, escape, variables)
            else:
                arguments = raw
        if heredocs and arguments is not UNKNOWN:
            arguments = arguments + "\n" + "\n".join(heredocs)
        node = _instruction(keyword, raw, arguments, line)
        preamble_or_stage.append(node)
        if stages and keyword == "USER":
            stages[-1].user = node
        elif stages and keyword == "HEALTHCHECK":
            stages[-1].healthcheck = node
    if not stages:
        raise AdapterError("no FROM instruction")
    by_name = {s.alias: s for s in stages if s.alias}
    resources = []
    for stage in stages:
        user, health = stage.user, stage.healthcheck
        parent = by_name.get(stage.parent) if stage.parent else None
        while parent is not None and (user is None or health is None):
            user = user or parent.user
            health = health or parent.healthcheck
            parent = by_name.get(parent.parent) if parent.parent else None
        body: dict[str, Node] = {
            "image": Node(stage.image, stage.line),
            "index": Node(stage.index, stage.line),
            "instructions": Node(stage.instructions, stage.line),
        }
        if stage.alias:
            body["alias"] = Node(stage.alias, stage.line)
        if stage.parent:
            body["parent_stage"] = Node(stage.parent, stage.line)
        if user is not None:
            body["user"] = user  # the USER in force at the end, inherited included
        if health is not None:
            body["healthcheck"] = health
        if stage.index == 0:
            body["preamble"] = Node(preamble, preamble[0].line if preamble else None)
        resources.append(
            Resource(
                format=FORMAT,
                kind="stage",
                name=stage.alias or str(stage.index),
                path=path,
                line=stage.line,
                body=Node(body, stage.line),
                context={"final": stage is stages[-1], "index": stage.index},
            )
        )
    return resources


def _directives(lines: list[str]) -> tuple[str, int]:
    escape = "\\"
    for number, line in enumerate(lines):
        match = _DIRECTIVE.match(line.strip())
        if not match:
            return escape, number
        if match.group(1).lower() == "escape":
            if match.group(2) not in ("\\", "`"):
                raise AdapterError(f"line {number + 1}: escape must be \\ or `")
            escape = match.group(2)
    return escape, len(lines)


def _logical_lines(
    lines: list[str], start: int, escape: str
) -> list[tuple[str, str, int, list[str]]]:
    """(KEYWORD, arguments as written, first line, heredoc bodies) per instruction."""
    out: list[tuple[str, str, int, list[str]]] = []
    i = start
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        first = i + 1
        parts: list[str] = []
        while i < len(lines):
            current = lines[i].rstrip()
            i += 1
            if parts and (not current.strip() or current.lstrip().startswith("#")):
                continue  # comments and blank lines inside a continuation
            if current.endswith(escape):
                parts.append(current[: -len(escape)])
                continue
            parts.append(current)
            break
        logical = " ".join(p.strip() for p in parts).strip()
        keyword, _, raw = logical.partition(" ")
        keyword, raw = keyword.upper(), raw.strip()
        if not re.fullmatch(r"[A-Z]+", keyword):
            raise AdapterError(f"line {first}: not an instruction: {keyword[:40]!r}")
        heredocs: list[str] = []
        if keyword in _HEREDOC_FORM and not raw.startswith("["):
            for match in _HEREDOC.finditer(raw):
                word, strip_tabs = match.group(3), match.group(1) == "-"
                body: list[str] = []
                while True:
                    if i >= len(lines):
                        raise AdapterError(f"line {first}: heredoc {word} is never closed")
                    current = lines[i]
                    i += 1
                    if (current.lstrip("\t") if strip_tabs else current).rstrip() == word:
                        break
                    body.append(current)
                heredocs.append("\n".join(body))
        out.append((keyword, raw, first, heredocs))
    return out


def _expand(text: str, variables: dict[str, Value], escape: str) -> Value:
    """``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:+alternative}``; UNKNOWN when a
    value it needs is unknown. Undeclared variables are empty, as in Docker."""
    pattern = re.compile(
        rf"(?P<esc>{re.escape(escape)}\$)"
        rf"|\$\{{(?P<braced>{_NAME})(?::(?P<op>[-+])(?P<word>[^}}]*))?\}}"
        rf"|\$(?P<bare>{_NAME})"
    )
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        if match.group("esc"):
            return "$"
        name = match.group("braced") or match.group("bare")
        value = variables.get(name, UNKNOWN if name in _AUTOMATIC else "")
        if value is UNKNOWN:
            unknown = True
            return ""
        op, word = match.group("op"), match.group("word") or ""
        if op == "-":
            return str(value) or word
        if op == "+":
            return word if value else ""
        return str(value)

    result = pattern.sub(replace, text)
    return UNKNOWN if unknown else result


def _split(raw: str, line: int) -> list[str]:
    try:
        return shlex.split(raw, posix=True)
    except ValueError as exc:
        raise AdapterError(f"line {line}: {exc}") from None


def _declare_args(
    raw: str,
    line: int,
    escape: str,
    scope: dict[str, Value],
    global_vars: dict[str, Value] | None,
) -> Value:
    for word in _split(raw, line):
        name, has_default, default = word.partition("=")
        if has_default:
            scope[name] = _expand(default, scope, escape)
        elif global_vars is not None and name in global_vars:
            scope[name] = global_vars[name]  # a global ARG redeclared in a stage
        else:
            scope[name] = UNKNOWN  # set only by --build-arg, if at all
    return _expand(raw, scope, escape)


def _set_env(raw: str, line: int, escape: str, variables: dict[str, Value]) -> None:
    words = _split(raw, line)
    if words and "=" not in words[0]:
        name, _, value = raw.partition(" ")  # legacy form: ENV NAME value with spaces
        variables[name] = _expand(value.strip(), variables, escape)
        return
    for word in words:
        name, _, value = word.partition("=")
        variables[name] = _expand(value, variables, escape)


def env_pairs(raw: str, line: int) -> list[tuple[str, str]]:
    """The (name, value as written) pairs of an ENV, ARG or LABEL instruction."""
    words = _split(raw, line)
    if words and "=" not in words[0] and len(words) > 1:
        name, _, value = raw.partition(" ")
        return [(name, value.strip())]
    return [(w.partition("=")[0], w.partition("=")[2]) for w in words]


def _new_stage(
    raw: str, line: int, escape: str, global_vars: dict[str, Value], stages: list[_Stage]
) -> _Stage:
    expanded = _expand(raw, global_vars, escape)
    words = [w for w in raw.split() if not w.startswith("--")]
    if not words:
        raise AdapterError(f"line {line}: FROM without an image")
    alias = None
    if len(words) >= 3 and words[-2].lower() == "as":
        alias = words[-1].lower()
    image: Value = UNKNOWN
    if expanded is not UNKNOWN:
        image_words = [w for w in expanded.split() if not w.startswith("--")]
        image = image_words[0] if image_words else UNKNOWN
    parent = None
    names = {s.alias for s in stages if s.alias}
    if image is not UNKNOWN and image.lower() in names:
        parent = image.lower()
    variables: dict[str, Value] = {}
    if parent is not None:
        for earlier in stages:
            if earlier.alias == parent:
                variables = dict(earlier.variables)
    return _Stage(len(stages), line, image, alias, parent, variables)


def _instruction(keyword: str, raw: str, arguments: Value, line: int) -> Node:
    fields: dict[str, Node] = {
        "instruction": Node(keyword, line),
        "arguments": Node(arguments, line),
        "raw": Node(raw, line),
        "form": Node("shell", line),
    }
    if keyword in _EXEC_FORM and raw.startswith("["):
        try:
            argv = json.loads(raw)
        except ValueError:
            argv = None
        if isinstance(argv, list) and all(isinstance(a, str) for a in argv):
            fields["form"] = Node("exec", line)
            fields["argv"] = Node([Node(a, line) for a in argv], line)
            fields["arguments"] = Node(" ".join(argv), line)
    return Node(fields, line)


ADAPTER = Adapter(format=FORMAT, matches=matches, parse=parse)
