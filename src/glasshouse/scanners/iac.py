"""The infrastructure scanner: adapters turn files into resources, checks judge them.

A file an adapter cannot read is one blocking problem naming it; the other files go
on. A check that raises on odd input is a Glasshouse bug: it is reported as a problem
(the scan is incomplete), never a silent pass.
"""

from __future__ import annotations

from glasshouse.fingerprint import fingerprint
from glasshouse.iac.check import Check
from glasshouse.iac.model import AdapterError, Resource
from glasshouse.iac.registry import ADAPTERS, CHECKS
from glasshouse.model import Finding, FindingKind, Fix, Location, Problem
from glasshouse.scanners.base import ScanContext, ScannerResult
from glasshouse.walk import WalkedFile, read_file

SCANNER = "iac"


class IacScanner:
    name = SCANNER

    def wants(self, basename: str, relpath: str) -> bool:
        return any(a.matches(basename, relpath) for a in ADAPTERS)

    def run(self, files: list[WalkedFile], context: ScanContext) -> ScannerResult:
        result = ScannerResult()
        for done, file in enumerate(files, 1):
            context.report("checking infrastructure", done, len(files))
            basename = file.relpath.rsplit("/", 1)[-1]
            adapters = [a for a in ADAPTERS if a.matches(basename, file.relpath)]
            try:
                data = read_file(file.path)
            except OSError as exc:
                result.problems.append(
                    Problem(SCANNER, f"unreadable ({exc.strerror or exc})", file.relpath)
                )
                continue
            for adapter in adapters:
                try:
                    resources = adapter.parse(file.relpath, data)
                except AdapterError as exc:
                    message = str(exc).splitlines()[0] if str(exc) else "unreadable"
                    result.problems.append(
                        Problem(
                            SCANNER, f"cannot read as {adapter.format}: {message}", file.relpath
                        )
                    )
                    continue
                if resources:
                    result.files.append(file.relpath)
                for resource in resources:
                    result.findings.extend(_judge(resource, result.problems))
        return result


def _judge(resource: Resource, problems: list[Problem]) -> list[Finding]:
    findings = []
    for check in CHECKS:
        if not check.applies(resource):
            continue
        try:
            violations = list(check.evaluate(resource))
        except Exception as exc:  # a check bug must not pass the gate
            problems.append(
                Problem(
                    SCANNER,
                    f"check {check.id} failed on {resource.kind} {resource.name} "
                    f"({type(exc).__name__}: {exc}); this is a Glasshouse bug, please report it",
                    resource.path,
                )
            )
            continue
        seen: set[int | None] = set()
        for violation in violations:
            if violation.line in seen:
                continue
            seen.add(violation.line)
            findings.append(_finding(check, resource, violation.line, violation.message))
    return findings


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
        location=Location(resource.path, line if line is not None else resource.line),
        # The resource, not the line: a finding survives edits around it.
        fingerprint=fingerprint(FindingKind.MISCONFIGURATION, check.id, identity, resource.path),
        fix=Fix(check.fix),
        tags=check.references,
    )
