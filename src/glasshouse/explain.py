"""``glasshouse explain ID``: an advisory's details and fix, from the local database.

Pure: look the id up in the store (by the advisory's own id or by any alias, so
``CVE-2023-43804`` finds ``PYSEC-2023-192``), and render what was found as text for
people or as the stored OSV JSON. The CLI prints and picks the exit code.

Advisory text comes from outside: every string is stripped of control characters
before it reaches a terminal, and the JSON output escapes everything non-ASCII.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from glasshouse.advisories.matcher import Matcher
from glasshouse.advisories.osv import InvalidAdvisory, parse_advisory
from glasshouse.advisories.severity import cvss_score, rate
from glasshouse.advisories.store import AdvisoryStore, StoreError
from glasshouse.model import Advisory, Affected, EventKind, RangeType

# The message a scan gives when there is no database (scanners/dependencies.py).
NO_DATABASE = (
    "no advisory database: run `glasshouse db update` (or `glasshouse db import PATH` offline)"
)
MAX_REFERENCES = 10
_ONLY_ADVISORIES = "`glasshouse explain` knows advisories only, for now"


class ExplainError(Exception):
    """The id names nothing ``explain`` can show; the message says why, on one line."""


class UnknownAdvisory(ExplainError):
    def __init__(self, ident: str) -> None:
        super().__init__(
            f"{ident}: no advisory has this id or alias in the local database; "
            "run `glasshouse db update` to fetch the latest advisories "
            f"({_ONLY_ADVISORIES})"
        )


class NotAnAdvisory(ExplainError):
    """A rule id of another kind: a SARIF-imported ``tool:rule``, a secret or IaC rule."""


@dataclass(frozen=True, slots=True)
class Record:
    """One stored advisory: parsed for the text view, and the OSV document as stored."""

    advisory: Advisory
    document: dict[str, Any]


# -- looking up -----------------------------------------------------------------------


def _other_kind(ident: str) -> str | None:
    """Why ``ident`` cannot be an OSV id, or ``None`` when it may be one.

    OSV ids are ``PREFIX-...`` without spaces, colons or slashes; Glasshouse names
    SARIF-imported rules ``tool:rule``.
    """
    tool, colon, rule = ident.partition(":")
    if colon and tool and rule:
        return (
            f"{ident}: a rule of {tool}, imported from its SARIF report, not an advisory; "
            f"see {tool}'s documentation ({_ONLY_ADVISORIES})"
        )
    if any(c.isspace() or c in ":/\\" for c in ident) or "-" not in ident.strip("-"):
        return f"{ident}: not an advisory id such as CVE-2023-43804 ({_ONLY_ADVISORIES})"
    return None


def find_records(store: AdvisoryStore, ident: str) -> list[Record]:
    """Every advisory going by ``ident``, the one whose own id it is first.

    Raises ``StoreError`` without a usable database, ``NotAnAdvisory`` for a rule id of
    another kind, ``UnknownAdvisory`` when nothing in the database has that name.
    """
    ident = _clean(ident).strip()
    why = _other_kind(ident)
    if why is not None:
        raise NotAnAdvisory(why)
    if not store.exists():  # no file, or a file nothing was ever imported into
        raise StoreError(NO_DATABASE)
    records = [_record(stored.id, stored.body) for stored in store.find(ident)]
    if not records:
        raise UnknownAdvisory(ident)
    folded = ident.casefold()
    records.sort(key=lambda r: (r.advisory.id.casefold() != folded, r.advisory.id))
    return records


def _record(advisory_id: str, body: bytes) -> Record:
    try:
        document = json.loads(body)
        advisory = parse_advisory(document)
    except (ValueError, InvalidAdvisory, RecursionError) as exc:
        raise StoreError(f"advisory {advisory_id} is corrupt in the database ({exc})") from None
    return Record(advisory, document)


# -- JSON -----------------------------------------------------------------------------


def render_json(records: Iterable[Record]) -> str:
    """The OSV documents as stored, as one JSON array (ASCII only: safe on a terminal)."""
    return json.dumps([r.document for r in records], indent=2, ensure_ascii=True) + "\n"


# -- text -----------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # keeps \t and \n


def _clean(text: str) -> str:
    """Drop control characters: advisory text must not drive the terminal (escapes)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def render_text(query: str, records: list[Record], *, width: int = 100) -> str:
    """A readable explanation of ``records``, found for ``query``, wrapped at ``width``."""
    width = max(width, 40)
    lines: list[str] = []
    if len(records) > 1:
        ids = ", ".join(r.advisory.id for r in records)
        lines += _wrap(f"{_clean(query)}: {len(records)} advisories go by this name: {ids}", width)
        lines.append("")
    for index, record in enumerate(records):
        if index:
            lines += ["", "-" * min(width, 60), ""]
        lines += _record_lines(record, width)
    return "\n".join(lines) + "\n"


_LABEL = 12  # width of the label column


def _field(label: str, value: str, width: int) -> list[str]:
    head = f"  {label:<{_LABEL}}"
    return textwrap.wrap(
        _clean(value),
        width=width,
        initial_indent=head,
        subsequent_indent=" " * len(head),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [head.rstrip()]


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(
        _clean(text),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _record_lines(record: Record, width: int) -> list[str]:
    advisory, document = record.advisory, record.document
    lines = [_clean(advisory.id)]
    if advisory.summary:
        lines += _field("summary", advisory.summary, width)
    lines += _field("aliases", ", ".join(advisory.aliases) or "none", width)
    if advisory.related:
        lines += _field("related", ", ".join(advisory.related), width)
    lines += _field("published", _date(advisory.published), width)
    lines += _field("modified", _date(advisory.modified), width)
    lines += _field("severity", severity_text(advisory), width)
    informational = _informational(document)
    if informational:
        lines += _field("kind", f"informational ({informational}), not a vulnerability", width)
    lines += _field("fixed in", _fixed_summary(advisory), width)
    lines += _field("osv.dev", advisory.url, width)

    lines += ["", "  affected packages"]
    if not advisory.affected:
        lines.append("    none listed")
    for entry in advisory.affected:
        lines += _affected_lines(entry, width)

    references = _references(document)
    if references:
        lines += ["", f"  references ({len(references)})"]
        for kind, url in references[:MAX_REFERENCES]:
            lines.append(_clean(f"    {kind:<10} {url}" if kind else f"    {url}"))
        if len(references) > MAX_REFERENCES:
            lines.append(f"    ... and {len(references) - MAX_REFERENCES} more (--format json)")

    details = document.get("details")
    if isinstance(details, str) and details.strip():
        lines += ["", "  details"]
        lines += markdown_to_text(details, width=width, indent="    ")
    return lines


def _date(value: str | None) -> str:
    # The Go database writes year 0001 for dates it does not track.
    if not value or value.startswith("0001-"):
        return f"not given ({value})" if value else "not given"
    return value


# -- severity, ranges, fixes ----------------------------------------------------------

_CVSS_NAMES = {"cvss_v4": "CVSS v4", "cvss_v3": "CVSS v3", "cvss_v2": "CVSS v2"}


def severity_text(advisory: Advisory) -> str:
    """Glasshouse's severity for ``advisory`` and where it comes from."""
    rated = rate(advisory)
    label = rated.severity.label
    if rated.source in _CVSS_NAMES:
        kind = rated.source.upper()
        vector = next(
            (
                s.score
                for s in advisory.severity_scores
                if s.type == kind and cvss_score(kind, s.score) == rated.score
            ),
            "",
        )
        name = _CVSS_NAMES[rated.source]
        return f"{label}, from its {name} vector (base score {rated.score}): {vector}"
    if rated.source == "database":
        return f"{label}, the advisory database's own rating (no CVSS vector)"
    return f"{label}: no CVSS vector and no database rating"


def _range_text(events: Iterable[tuple[EventKind, str]]) -> list[str]:
    """One line per ``introduced`` segment: ``introduced 0, fixed 1.26.17``."""
    segments: list[list[str]] = []
    for kind, version in events:
        words = f"{kind.value.replace('_', ' ')} {version}"
        if kind is EventKind.INTRODUCED or not segments:
            segments.append([words])
        else:
            segments[-1].append(words)
    return [", ".join(segment) for segment in segments]


def _sorted_versions(ecosystem: str, versions: Iterable[str]) -> list[str]:
    """Ascending by the ecosystem's ordering; versions it cannot order keep their place
    after the others."""
    unique = list(dict.fromkeys(versions))
    ordered = Matcher(ecosystem).sort_versions(unique)
    return ordered + [v for v in unique if v not in set(ordered)]


def _fixed_versions(entry: Affected) -> list[str]:
    fixed = [
        event.version
        for rng in entry.ranges
        if rng.type is not RangeType.GIT
        for event in rng.events
        if event.kind is EventKind.FIXED
    ]
    return _sorted_versions(entry.ecosystem, fixed)


def _fixed_summary(advisory: Advisory) -> str:
    parts = []
    for entry in advisory.affected:
        fixed = _fixed_versions(entry)
        where = f"{entry.name} ({entry.ecosystem})"
        parts.append(f"{where}: {', '.join(fixed)}" if fixed else f"{where}: no fixed version")
    return "; ".join(parts) if parts else "no affected package listed"


def _affected_lines(entry: Affected, width: int) -> list[str]:
    lines = _wrap(f"{entry.name} ({entry.ecosystem})", width, "    ")
    git_ranges = 0
    for rng in entry.ranges:
        if rng.type is RangeType.GIT:
            git_ranges += 1
            continue
        for text in _range_text((event.kind, event.version) for event in rng.events):
            lines += _wrap(text, width, "      ")
    if entry.versions:
        count = len(entry.versions)
        lines.append(f"      {count} affected version{'s' if count != 1 else ''} listed")
    if git_ranges:
        lines.append(
            f"      {git_ranges} git commit range{'s' if git_ranges != 1 else ''} "
            "(not used for version matching)"
        )
    if not entry.ranges and not entry.versions:
        lines.append("      no ranges or versions: every version is affected")
    return lines


def _informational(document: dict[str, Any]) -> str | None:
    """RustSec marks advisories that are not vulnerabilities (``unmaintained``...)."""
    for entry in document.get("affected") or []:
        if not isinstance(entry, dict):
            continue
        specific = entry.get("database_specific")
        if isinstance(specific, dict) and isinstance(specific.get("informational"), str):
            return str(specific["informational"])
    return None


def _references(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(type, url) pairs in the advisory's order, one per url (its first type)."""
    kinds: dict[str, str] = {}
    for ref in document.get("references") or []:
        if isinstance(ref, dict) and isinstance(ref.get("url"), str):
            kind = ref.get("type")
            kinds.setdefault(ref["url"], kind if isinstance(kind, str) else "")
    return [(kind, url) for url, kind in kinds.items()]


# -- markdown -------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,3}[.)])\s+(.*)$")
_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_REFERENCE = re.compile(r"\[([^\]]+)\](?:\[([^\]]*)\])?")
_DEFINITION = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?([^\s>]+)>?(?:\s+[\"'(].*)?$")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def _inline(text: str, definitions: dict[str, str]) -> str:
    def link(match: re.Match[str]) -> str:
        label, url = match.group(1).strip(), match.group(2)
        return url if not label or label == url else f"{label} ({url})"

    def reference(match: re.Match[str]) -> str:
        text, label = match.group(1), match.group(2)
        url = definitions.get((label or text).strip().casefold())
        return match.group(0) if url is None else f"{text} ({url})"

    text = _LINK.sub(link, text)
    if definitions:
        text = _REFERENCE.sub(reference, text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    return _EMPHASIS.sub(r"\1", text)


def markdown_to_text(markdown: str, *, width: int = 100, indent: str = "") -> list[str]:
    """The OSV ``details`` markdown as plain lines: paragraphs and list items wrapped,
    code kept as written (indented), links as ``text (url)``, emphasis marks dropped."""
    lines = _clean(markdown).expandtabs(4).split("\n")
    definitions = _definitions(lines)
    out: list[str] = []
    paragraph: list[str] = []
    item: tuple[str, str] | None = None  # (bullet, text) of the list item being read

    def flush() -> None:
        nonlocal item
        if paragraph:
            out.extend(_wrap(_inline(" ".join(paragraph), definitions), width, indent))
            paragraph.clear()
        if item is not None:
            bullet, text = item
            out.extend(
                textwrap.wrap(
                    _clean(_inline(text, definitions)),
                    width=width,
                    initial_indent=f"{indent}{bullet} ",
                    subsequent_indent=indent + " " * (len(bullet) + 1),
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
            item = None

    def blank() -> None:
        if out and out[-1]:
            out.append("")

    in_code = False
    for raw in lines:
        line = raw.rstrip()
        if _FENCE.match(line):
            flush()
            if not in_code:
                blank()
            in_code = not in_code
            continue
        if in_code:
            out.append(f"{indent}    {line}" if line else "")
            continue
        if _DEFINITION.match(line):
            continue  # a link definition: its url is shown where the link is used
        if not line.strip():
            flush()
            blank()
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            blank()
            out.extend(_wrap(_inline(heading.group(1), definitions), width, indent))
            continue
        bullet = _ITEM.match(line)
        if bullet:
            flush()
            marker = bullet.group(2) if bullet.group(2)[0].isdigit() else "-"
            item = (" " * min(len(bullet.group(1)), 8) + marker, bullet.group(3))
            continue
        if line.lstrip().startswith("|") or (
            line.startswith("    ") and not paragraph and not item
        ):
            flush()  # a table row or indented code: keep it as written
            out.append(f"{indent}{line}")
            continue
        if item is not None:
            item = (item[0], f"{item[1]} {line.strip()}")
        else:
            paragraph.append(line.strip().removeprefix("> ").strip())
    flush()
    while out and not out[-1]:
        out.pop()
    return out


def _definitions(lines: list[str]) -> dict[str, str]:
    """Reference-style link definitions (``[label]: url``) outside code, by label."""
    found: dict[str, str] = {}
    in_code = False
    for line in lines:
        if _FENCE.match(line):
            in_code = not in_code
        elif not in_code and (match := _DEFINITION.match(line)):
            found.setdefault(match.group(1).strip().casefold(), match.group(2))
    return found
