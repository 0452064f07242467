"""The secrets scanner: leaked credentials in the working tree, the index, or history.

Every file of the tree (honouring ``.gitignore``) goes through one detector; with
``--staged`` only what the index adds, with ``--history`` every line any commit added.
The same secret is one finding wherever and however often it appears, with each
occurrence listed: a secret is revoked once. Findings carry a masked preview and a
keyed hash, never the secret.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from glasshouse.fingerprint import fingerprint
from glasshouse.model import (
    SUPPRESSED_IN_SOURCE,
    Finding,
    FindingKind,
    Fix,
    Location,
    Problem,
    SecretDetails,
    SecretOccurrence,
)
from glasshouse.scanners.base import ScanContext, ScannerResult
from glasshouse.secrets import git as gitreader
from glasshouse.secrets.catalogue import VALIDATORS, load_rules, shannon_entropy
from glasshouse.secrets.detector import Detector, SecretMatch
from glasshouse.secrets.redact import hash_key, preview, secret_hash
from glasshouse.secrets.rule import Rule
from glasshouse.walk import WalkedFile, read_file

SCANNER = "secrets"


@dataclass
class _Leak:
    """Everything seen of one secret under one rule, before it becomes a finding."""

    rule: Rule
    preview: str
    digest: str
    occurrences: list[SecretOccurrence] = field(default_factory=list)
    suppressions: list[str] = field(default_factory=list)


class SecretScanner:
    name = SCANNER

    def __init__(self) -> None:
        self._detectors: dict[tuple[Rule, ...], Detector] = {}

    def wants(self, basename: str, relpath: str) -> bool:
        return True  # every file may hold a credential; the detector skips binaries

    def _detector_for_run(self, context: ScanContext) -> Detector:
        detector = self._detectors.get(context.secret_rules)
        if detector is None:
            # The compiled pattern database is cached: building it costs 0.5 s, loading 0.07 s.
            detector = self._detectors[context.secret_rules] = Detector(
                (*load_rules(), *context.secret_rules),
                VALIDATORS,
                shannon_entropy,
                cache_dir=context.cache_dir,
            )
        return detector

    def run(self, files: list[WalkedFile], context: ScanContext) -> ScannerResult:
        detector = self._detector_for_run(context)
        key = hash_key(os.environ)
        leaks: dict[tuple[str, str], _Leak] = {}
        result = ScannerResult()
        skipped: Counter[str] = Counter()

        def record(match: SecretMatch, occurrence: SecretOccurrence) -> None:
            digest = secret_hash(match.secret, key)
            leak = leaks.get((match.rule.id, digest))
            if leak is None:
                leak = leaks[(match.rule.id, digest)] = _Leak(
                    match.rule, preview(match.secret), digest
                )
            leak.occurrences.append(occurrence)
            leak.suppressions.append(match.suppressed or "")

        if context.staged or context.history is not None:
            chunks: Iterable[gitreader.CommitChunk]
            try:
                chunks = (
                    gitreader.staged(context.root)
                    if context.staged
                    else gitreader.history(context.root, context.history or None)
                )
                for chunk in chunks:
                    found = detector.scan_chunk(chunk)
                    for match, (path, line) in found:
                        record(
                            match,
                            SecretOccurrence(path, line, chunk.commit, chunk.author, chunk.date),
                        )
                    skipped.update(f"{reason} in git" for reason in found.skipped.values())
                    skipped.update(f"{s.reason} in git" for s in chunk.skipped)
                    for path, line in found.suppression_errors:
                        result.problems.append(_bare_allow(path, line, chunk.commit))
            except gitreader.GitError as exc:
                result.problems.append(Problem(SCANNER, str(exc)))
        if not context.staged:
            for done, file in enumerate(files, 1):
                context.report("looking for secrets", done, len(files))
                try:
                    data = read_file(file.path)
                except OSError as exc:
                    if "limit" in str(exc):
                        skipped["oversized"] += 1
                        continue
                    result.problems.append(
                        Problem(SCANNER, f"unreadable ({exc.strerror or exc})", file.relpath)
                    )
                    continue
                outcome = detector.scan(data, file.relpath)
                if outcome.skipped:
                    skipped[outcome.skipped] += 1
                    continue
                result.files.append(file.relpath)
                for line in outcome.suppression_errors:
                    result.problems.append(_bare_allow(file.relpath, line, None))
                for match in outcome.matches:
                    record(match, SecretOccurrence(file.relpath, match.line))
        # A generic rule gives way where a rule that knows the format found the same secret.
        specific = {digest for (rule_id, digest) in leaks if not rule_id.startswith("generic-")}
        result.findings = [
            _finding(leak)
            for (rule_id, digest), leak in leaks.items()
            if not (rule_id.startswith("generic-") and digest in specific)
        ]
        if any(skipped.values()):
            spelled = ", ".join(f"{n} {why}" for why, n in sorted(skipped.items()) if n)
            result.problems.append(
                Problem(SCANNER, f"files not searched for secrets: {spelled}", blocking=False)
            )
        return result


def _bare_allow(path: str, line: int, commit: str | None) -> Problem:
    where = f"line {line}" + (f" of commit {commit[:12]}" if commit else "")
    return Problem(
        SCANNER,
        f"{where}: glasshouse:allow without a reason suppresses nothing; "
        "write `glasshouse:allow RULE reason`",
        path,
        blocking=False,
    )


def _finding(leak: _Leak) -> Finding:
    first = leak.occurrences[0]
    # Suppressed only when every occurrence carries a reason: one bare copy still leaks.
    reasons = [r for r in leak.suppressions if r]
    suppressed = len(reasons) == len(leak.suppressions)
    places = len(leak.occurrences)
    title = leak.rule.title if places == 1 else f"{leak.rule.title} ({places} occurrences)"
    return Finding(
        kind=FindingKind.SECRET,
        rule_id=leak.rule.id,
        title=title,
        severity=leak.rule.severity,
        location=Location(first.path, first.line),
        # No path: the same secret is one leak wherever it appears, and is revoked once.
        fingerprint=fingerprint(FindingKind.SECRET, leak.rule.id, leak.digest, ""),
        fix=Fix(leak.rule.fix),
        secret=SecretDetails(leak.preview, leak.digest, tuple(leak.occurrences)),
        suppression="; ".join(dict.fromkeys(reasons)) if suppressed else None,
        tags=(SUPPRESSED_IN_SOURCE,) if suppressed else (),
    )
