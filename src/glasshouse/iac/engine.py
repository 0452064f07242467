"""Adapters, checks and inline suppressions over a set of files, without the disk.

The scanner feeds it the walked tree; the catalogue test feeds it each check's example
files from memory. Both therefore run exactly the same code.

A file an adapter cannot read is one blocking problem naming it; the other files go
on. A check that raises on odd input is a Glasshouse bug: it is reported as a problem
(the scan is incomplete), never a silent pass.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from glasshouse.fingerprint import fingerprint
from glasshouse.iac.adapter import DirectoryInput
from glasshouse.iac.check import Check
from glasshouse.iac.model import AdapterError, Resource
from glasshouse.iac.registry import ADAPTERS, CHECKS, DIRECTORY_ADAPTERS
from glasshouse.inline_allow import Markers, read_markers
from glasshouse.model import (
    SUPPRESSED_IN_SOURCE,
    Finding,
    FindingKind,
    Fix,
    Location,
    Problem,
)

SCANNER = "iac"


def wants(basename: str, relpath: str) -> bool:
    return any(a.matches(basename, relpath) for a in ADAPTERS) or any(
        a.matches(basename, relpath) for a in DIRECTORY_ADAPTERS
    )


@dataclass(slots=True)
class Evaluation:
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)


def evaluate(
    paths: Iterable[str],
    read: Callable[[str], bytes],
    *,
    root: Path | None = None,
    checks: tuple[Check, ...] = CHECKS,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Judge the files at ``paths`` (relative, POSIX), read through ``read``."""
    out = _Run(read, checks)
    ordered = sorted(set(paths))
    for done, path in enumerate(ordered, 1):
        if progress is not None:
            progress(done, len(ordered))
        basename = path.rsplit("/", 1)[-1]
        for adapter in ADAPTERS:
            if not adapter.matches(basename, path):
                continue
            data = out.content(path)
            if data is None:
                break
            try:
                resources = adapter.parse(path, data)
            except AdapterError as exc:
                out.cannot_read(path, adapter.format, str(exc))
                continue
            out.judge(path, resources)
    for directory_adapter in DIRECTORY_ADAPTERS:
        by_directory: dict[str, list[str]] = defaultdict(list)
        for path in ordered:
            if directory_adapter.matches(path.rsplit("/", 1)[-1], path):
                by_directory[posixpath.dirname(path)].append(path)

        def load(
            directory: str, _groups: Mapping[str, list[str]] = by_directory
        ) -> dict[str, bytes]:
            directory = posixpath.normpath(directory).removeprefix("./")
            directory = "" if directory == "." else directory
            found = {p: out.content(p, report=False) for p in _groups.get(directory, [])}
            return {p: data for p, data in found.items() if data is not None}

        for directory in sorted(by_directory):
            files = load(directory)
            if not files:
                continue
            result = directory_adapter.parse_directory(
                DirectoryInput(directory, files, load, root, tuple(sorted(by_directory)))
            )
            for path, message in result.errors:
                out.cannot_read(path, directory_adapter.format, message)
            by_path: dict[str, list[Resource]] = defaultdict(list)
            for resource in result.resources:
                by_path[resource.path].append(resource)
            for path in result.scanned:
                by_path.setdefault(path, [])
            for path, resources in by_path.items():
                out.judge(path, resources)
    out.report_bare_markers()
    return out.evaluation


class _Run:
    def __init__(self, read: Callable[[str], bytes], checks: tuple[Check, ...]) -> None:
        self._read = read
        self._checks = checks
        self._contents: dict[str, bytes | None] = {}
        self._markers: dict[str, Markers] = {}
        self._scanned: set[str] = set()
        self._emitted: set[tuple[str, int | None]] = set()
        self.evaluation = Evaluation()

    def content(self, path: str, *, report: bool = True) -> bytes | None:
        if path not in self._contents:
            try:
                self._contents[path] = self._read(path)
            except OSError as exc:
                self._contents[path] = None
                if report:
                    message = f"unreadable ({exc.strerror or exc})"
                    self.evaluation.problems.append(Problem(SCANNER, message, path))
        return self._contents[path]

    def cannot_read(self, path: str, format_: str, message: str) -> None:
        line = message.splitlines()[0] if message.strip() else "unreadable"
        self.evaluation.problems.append(Problem(SCANNER, f"cannot read as {format_}: {line}", path))

    def markers(self, path: str) -> Markers:
        if path not in self._markers:
            data = self.content(path, report=False)
            self._markers[path] = read_markers(data) if data is not None else Markers()
        return self._markers[path]

    def judge(self, path: str, resources: list[Resource]) -> None:
        if path not in self._scanned:
            self._scanned.add(path)
            self.evaluation.scanned.append(path)
        for resource in resources:
            for check in self._checks:
                if check.applies(resource):
                    self._run_check(check, resource)

    def _run_check(self, check: Check, resource: Resource) -> None:
        try:
            violations = list(check.evaluate(resource))
        except Exception as exc:  # a check bug must not pass the gate
            self.evaluation.problems.append(
                Problem(
                    SCANNER,
                    f"check {check.id} failed on {resource.kind} {resource.name} "
                    f"({type(exc).__name__}: {exc}); this is a Glasshouse bug, please report it",
                    resource.path,
                )
            )
            return
        seen: set[int | None] = set()
        for violation in violations:
            if violation.line in seen:
                continue
            seen.add(violation.line)
            line = violation.line if violation.line is not None else resource.line
            finding = _finding(check, resource, line, violation.message)
            # One module file instantiated by many roots (a stack per service) is one
            # problem to fix in one place: reported once, not once per caller.
            if (finding.fingerprint, line) in self._emitted:
                continue
            self._emitted.add((finding.fingerprint, line))
            reason = self._suppression(check.id, resource, line)
            if reason is not None:
                finding = replace(
                    finding, suppression=reason, tags=(*finding.tags, SUPPRESSED_IN_SOURCE)
                )
            self.evaluation.findings.append(finding)

    def _suppression(self, check_id: str, resource: Resource, line: int | None) -> str | None:
        """A marker on the finding's line or the one above, or on the resource's first
        line or the one above (for the whole resource); or the format's own metadata."""
        declared = resource.context.get("suppressions")
        if isinstance(declared, Mapping):
            for key in (check_id, "*"):
                reason = declared.get(key)
                if isinstance(reason, str) and reason.strip():
                    return reason.strip()
        markers = self.markers(resource.path)
        if not markers.by_line:
            return None
        lines: list[int | None] = []
        for anchor in (line, resource.line):
            if anchor is not None:
                lines.extend((anchor, anchor - 1))
        return markers.reason(check_id, *lines)

    def report_bare_markers(self) -> None:
        for path in self.evaluation.scanned:
            for line in self.markers(path).bare:
                self.evaluation.problems.append(
                    Problem(
                        SCANNER,
                        f"line {line}: glasshouse:allow without a reason suppresses nothing; "
                        "write `glasshouse:allow CHECK-ID reason`",
                        path,
                        blocking=False,
                    )
                )


def _finding(check: Check, resource: Resource, line: int | None, message: str) -> Finding:
    identity = f"{resource.kind}/{resource.name}"
    title = f"{check.title}: {resource.kind} {resource.name}"
    if message:
        title += f" ({message})"
    return Finding(
        kind=FindingKind.MISCONFIGURATION,
        rule_id=check.id,
        title=title,
        severity=check.severity,
        location=Location(resource.path, line),
        # The resource, not the line: a finding survives edits around it.
        fingerprint=fingerprint(FindingKind.MISCONFIGURATION, check.id, identity, resource.path),
        fix=Fix(check.fix),
        tags=tuple(dict.fromkeys((*check.references, *check.mappings()))),
    )


def evaluate_texts(
    files: Mapping[str, str | bytes], *, checks: tuple[Check, ...] = CHECKS
) -> Evaluation:
    """``evaluate`` over in-memory files (examples, tests)."""
    data = {p: t.encode() if isinstance(t, str) else t for p, t in files.items()}

    def read(path: str) -> bytes:
        try:
            return data[path]
        except KeyError:
            raise FileNotFoundError(path) from None

    return evaluate(data, read, checks=checks)
