"""Read one OSV JSON document into an ``Advisory``, checking every type on the way.

The OSV schema is the contract (https://ossf.github.io/osv-schema/). Real exports carry
quirks: GIT ranges beside ECOSYSTEM ranges, ``versions`` lists, withdrawn records,
missing summaries. Anything of the wrong type is an ``InvalidAdvisory`` naming the field,
so one bad record never stops an import.
"""

from __future__ import annotations

from typing import Any

from glasshouse.model import (
    Advisory,
    Affected,
    AffectedRange,
    Event,
    EventKind,
    RangeType,
    Severity,
    SeverityScore,
)


class InvalidAdvisory(ValueError):
    """The document is not a usable OSV record; the message names the field."""


def _str(obj: dict[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise InvalidAdvisory(f"{where}{key} is missing")
        return None
    if not isinstance(value, str):
        raise InvalidAdvisory(f"{where}{key} must be a string, not {type(value).__name__}")
    return value


def _required(obj: dict[str, Any], key: str, where: str) -> str:
    value = _str(obj, key, where, required=True)
    if value is None:  # _str raised already; this narrows the type
        raise InvalidAdvisory(f"{where}{key} is missing")
    return value


def _list(obj: dict[str, Any], key: str, where: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidAdvisory(f"{where}{key} must be a list, not {type(value).__name__}")
    return value


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidAdvisory(f"{where} must be an object, not {type(value).__name__}")
    return value


def _strings(obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    items = _list(obj, key, where)
    for item in items:
        if not isinstance(item, str):
            raise InvalidAdvisory(f"{where}{key} must hold strings")
    return tuple(items)


def _rating(obj: Any) -> Severity | None:
    """A database's own rating (``database_specific.severity``, GHSA's ``MODERATE``...)."""
    if not isinstance(obj, dict):
        return None
    value = obj.get("severity")
    if not isinstance(value, str):
        return None
    try:
        return Severity.parse(value)
    except ValueError:
        return None


_RANGE_TYPES = {t.value: t for t in RangeType}
_EVENT_KINDS = {k.value: k for k in EventKind}


def _range(raw: Any, where: str) -> AffectedRange | None:
    rng = _dict(raw, where)
    range_type = _RANGE_TYPES.get(_required(rng, "type", f"{where}."))
    if range_type is None:
        return None  # a range type this version does not know: skip it, keep the others
    events: list[Event] = []
    for j, event in enumerate(_list(rng, "events", f"{where}.")):
        # The fast path builds no message: imports and scans read thousands of events.
        if type(event) is dict and len(event) == 1:
            ((key, value),) = event.items()
            kind = _EVENT_KINDS.get(key)
            if kind is not None and type(value) is str:
                events.append(Event(kind, value))
                continue
        raise InvalidAdvisory(_event_problem(event, f"{where}.events[{j}]"))
    return AffectedRange(range_type, tuple(events))


def _event_problem(event: Any, where: str) -> str:
    if not isinstance(event, dict):
        return f"{where} must be an object, not {type(event).__name__}"
    if len(event) != 1:
        return f"{where} must have exactly one key"
    ((key, _),) = event.items()
    if key not in _EVENT_KINDS:
        return f"{where} has unknown key {key!r}"
    return f"{where}.{key} must be a string"


def _affected(raw: Any, where: str) -> Affected | None:
    entry = _dict(raw, where)
    package = entry.get("package")
    if package is None:
        return None  # OSV allows affected entries without a package (e.g. GIT-only)
    package = _dict(package, f"{where}.package")
    ecosystem = _required(package, "ecosystem", f"{where}.package.")
    name = _required(package, "name", f"{where}.package.")
    ranges = []
    for i, raw_range in enumerate(_list(entry, "ranges", f"{where}.")):
        parsed = _range(raw_range, f"{where}.ranges[{i}]")
        if parsed is not None:
            ranges.append(parsed)
    severity = _rating(entry.get("ecosystem_specific")) or _rating(entry.get("database_specific"))
    return Affected(
        ecosystem=ecosystem,
        name=name,
        ranges=tuple(ranges),
        versions=_strings(entry, "versions", f"{where}."),
        severity=severity,
    )


def _summary(doc: dict[str, Any]) -> str:
    summary = _str(doc, "summary", "")
    if summary and summary.strip():
        return summary.strip()
    details = _str(doc, "details", "") or ""
    for line in details.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= 160 else line[:157] + "..."
    return ""


def parse_advisory(raw: Any) -> Advisory:
    """Build an ``Advisory`` from a decoded OSV document, or raise ``InvalidAdvisory``."""
    doc = _dict(raw, "document")
    advisory_id = _required(doc, "id", "")
    if not advisory_id.strip() or len(advisory_id) > 200:
        raise InvalidAdvisory("id must be a short non-empty string")
    affected = []
    for i, raw_affected in enumerate(_list(doc, "affected", "")):
        parsed = _affected(raw_affected, f"affected[{i}]")
        if parsed is not None:
            affected.append(parsed)
    scores = []
    for i, raw_score in enumerate(_list(doc, "severity", "")):
        entry = _dict(raw_score, f"severity[{i}]")
        scores.append(
            SeverityScore(
                _required(entry, "type", f"severity[{i}]."),
                _required(entry, "score", f"severity[{i}]."),
            )
        )
    references = []
    for i, raw_ref in enumerate(_list(doc, "references", "")):
        url = _str(_dict(raw_ref, f"references[{i}]"), "url", f"references[{i}].")
        if url:
            references.append(url)
    return Advisory(
        id=advisory_id,
        aliases=_strings(doc, "aliases", ""),
        summary=_summary(doc),
        modified=_str(doc, "modified", "") or "",
        affected=tuple(affected),
        severity_scores=tuple(scores),
        database_severity=_rating(doc.get("database_specific")),
        withdrawn=_str(doc, "withdrawn", ""),
        published=_str(doc, "published", ""),
        references=tuple(references),
        related=_strings(doc, "related", ""),
    )
