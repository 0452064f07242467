"""What the SARIF, JUnit, Markdown and HTML reporters show about a finding, in one place.

Pure functions of the report: no clock, no randomness, nothing from outside the report,
so every rendering is deterministic and carries only what the findings already carry
(redacted previews and hashes for secrets, never the secret).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from glasshouse.model import Disposition, Finding, FindingKind, Judgement, Report

Item = tuple[Finding, Judgement | None]

KIND_HEADING = {
    FindingKind.VULNERABILITY: "Vulnerable dependencies",
    FindingKind.SECRET: "Secrets",
    FindingKind.MISCONFIGURATION: "Misconfigurations",
    FindingKind.CODE: "Code findings",
}

# Blocking first: what the reader must act on leads every listing.
DISPOSITION_ORDER = {
    Disposition.BLOCKING: 0,
    Disposition.WAIVED: 1,
    Disposition.EXISTING: 2,
    Disposition.IGNORED: 3,
    Disposition.ALLOWED: 4,
}

# Characters XML 1.0 cannot carry even escaped, and C1 controls / bidi overrides that a
# hostile text could use to garble a terminal or reorder what a reviewer reads.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)
_SPACE = re.compile(r"\s+")


def items(report: Report) -> list[Item]:
    """Each finding with the gate's judgement (``None`` when no gate ran)."""
    judgements: list[Judgement | None] = list(report.decision.judgements) or [None] * len(
        report.findings
    )
    return list(zip(report.findings, judgements, strict=True))


def clean(text: str) -> str:
    """Text safe for any output: unprintable characters replaced, never dropped silently."""
    return _UNPRINTABLE.sub("\ufffd", text)


def one_line(text: str, limit: int | None = None) -> str:
    """Cleaned text on one line, cut to ``limit`` characters with an ellipsis."""
    line = _SPACE.sub(" ", clean(text)).strip()
    if limit is not None and len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def safe_url(url: str | None) -> str | None:
    """An absolute http(s) URL, percent-encoded so it cannot break out of any markup;
    ``None`` for anything else (``javascript:``, relative, malformed)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#@!$&'*+,;=%~-._[]")


def help_url(finding: Finding) -> str | None:
    """Where to read more: the advisory's first reference or its osv.dev page, or the
    producing tool's rule documentation."""
    vuln = finding.vulnerability
    if vuln is not None:
        for reference in vuln.references:
            url = safe_url(reference)
            if url:
                return url
        ident = vuln.advisory_ids[0] if vuln.advisory_ids else finding.rule_id
        return f"https://osv.dev/vulnerability/{quote(ident, safe='')}"
    if finding.code is not None:
        return safe_url(finding.code.help_uri)
    return None


def package_label(finding: Finding) -> str | None:
    """``name version`` of the vulnerable package (or ``name (requirement)`` when unpinned)."""
    vuln = finding.vulnerability
    if vuln is None:
        return None
    pkg = vuln.package
    if pkg.version is not None:
        return f"{pkg.name} {pkg.version}"
    return f"{pkg.name} ({pkg.requirement or 'unpinned'})"


def where(finding: Finding) -> str:
    """The package (for vulnerabilities) and the file and line it was found at."""
    label = package_label(finding)
    return f"{label} in {finding.location}" if label else str(finding.location)


def fix_text(finding: Finding) -> str:
    if finding.fix is None:
        return ""
    return finding.fix.summary


def gate_label(judgement: Judgement | None) -> str:
    """``blocking (new)``, ``waived W-7``... or ``not judged`` when no gate ran."""
    if judgement is None:
        return "not judged"
    label = judgement.disposition.value
    if judgement.waiver:
        label += f" {judgement.waiver}"
    if judgement.new is True:
        label += " (new)"
    return label


def by_disposition(pairs: list[Item]) -> list[Item]:
    """Blocking first, then the exceptions, then allowed; worst severity first within."""

    def key(item: Item) -> tuple[int, int, str, str]:
        finding, judgement = item
        order = DISPOSITION_ORDER[judgement.disposition] if judgement else len(DISPOSITION_ORDER)
        return (order, -finding.severity, finding.rule_id, finding.location.path)

    return sorted(pairs, key=key)


# Markdown: backslash-escape every character that starts inline markup (CommonMark lets
# any ASCII punctuation be escaped), and turn < > & into entities so no HTML gets through.
_MD_INLINE = re.compile(r"([\\`*_\[\]~|])")
# Characters that open a block (heading, list, quote, thematic break) at a line's start.
_MD_BLOCK_START = re.compile(r"^([#+\-=])|^(\d{1,9})([.)])(?=\s|$)")
# GitHub links @user, @org/team and #123 / owner/repo#123 in comments; a zero-width
# space after the sigil keeps a hostile advisory title from pinging people or
# cross-referencing issues, and reads the same.
_MD_REFERENCE = re.compile(r"([@#])(?=\w)")


def markdown_text(text: str, limit: int | None = None, *, inert_references: bool = True) -> str:
    """One line of literal text for Markdown: renders as written, breaks no table,
    injects no HTML, links to no one."""
    line = one_line(text, limit)
    line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    line = _MD_INLINE.sub(r"\\\1", line)
    line = _MD_BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", line)
    if inert_references:
        line = _MD_REFERENCE.sub("\\1\u200b", line)
    return line


def markdown_code(text: str, limit: int | None = None) -> str:
    """A code span holding ``text`` literally, safe inside a GitHub table cell."""
    line = one_line(text, limit)
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    fence = "`" * (longest + 1)
    if line.startswith("`") or line.endswith("`"):
        line = f" {line} "
    # GitHub splits table rows on | before it reads code spans: the escape applies there too.
    return f"{fence}{line.replace('|', chr(92) + '|')}{fence}"
