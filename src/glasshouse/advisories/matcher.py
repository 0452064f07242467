"""Decide whether a package version is affected by an advisory, as the OSV schema says.

An ``affected[]`` entry matches when the version is in its ``versions`` list or inside
one of its ECOSYSTEM or SEMVER ranges. GIT ranges name commits, not versions: they are
skipped without hiding the entry's other ranges. Range events are evaluated in version
order: at each event at or below the version, ``introduced`` opens the range, ``fixed``
closes it, ``last_affected`` closes it for later versions; ``limit`` caps it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from glasshouse.ecosystems import base_ecosystem, normalize_name
from glasshouse.model import Advisory, Affected, AffectedRange, EventKind, RangeType
from glasshouse.versions.base import Comparable, InvalidVersion, VersionScheme
from glasshouse.versions.registry import SEMVER, scheme_for


class Outcome(enum.Enum):
    AFFECTED = "affected"
    NOT_AFFECTED = "not_affected"
    UNDECIDABLE = "undecidable"  # the package version cannot be ordered by the scheme


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    fixed: tuple[str, ...] = ()  # 'fixed' events of the ranges that matched


_NOT_AFFECTED = Verdict(Outcome.NOT_AFFECTED)
_UNDECIDABLE = Verdict(Outcome.UNDECIDABLE)

# Events sort by version; on a tie, 'introduced' comes first, so a range introduced and
# fixed at the same version is empty.
_TIE_ORDER = {
    EventKind.INTRODUCED: 0,
    EventKind.LAST_AFFECTED: 1,
    EventKind.FIXED: 2,
    EventKind.LIMIT: 3,
}


class Matcher:
    """Matches versions of one ecosystem; parsed versions are memoized per scheme."""

    def __init__(self, ecosystem: str) -> None:
        self.ecosystem = base_ecosystem(ecosystem)
        try:
            self.scheme: VersionScheme | None = scheme_for(self.ecosystem)
        except KeyError:
            self.scheme = None
        self._keys: dict[tuple[str, str], Comparable | None] = {}
        self._sorted: dict[tuple[int, str], list[tuple[Comparable | None, EventKind]]] = {}
        self._listed_keys: dict[int, frozenset[Comparable]] = {}

    def _key(self, scheme: VersionScheme, text: str) -> Comparable | None:
        memo = (scheme.name, text)
        if memo in self._keys:
            return self._keys[memo]
        try:
            key: Comparable | None = scheme.parse(text)
        except InvalidVersion:
            key = None
        self._keys[memo] = key
        return key

    def _events(
        self, scheme: VersionScheme, rng: AffectedRange
    ) -> list[tuple[Comparable | None, EventKind]]:
        memo = (id(rng), scheme.name)
        cached = self._sorted.get(memo)
        if cached is not None:
            return cached
        events: list[tuple[Comparable | None, EventKind]] = []
        for event in rng.events:
            if event.kind is EventKind.INTRODUCED and event.version == "0":
                events.append((None, event.kind))  # None: below every version
                continue
            key = self._key(scheme, event.version)
            if key is not None:  # an event that cannot be ordered is ignored
                events.append((key, event.kind))
        events.sort(key=_EventSortKey)
        self._sorted[memo] = events
        return events

    def _listed(self, scheme: VersionScheme, entry: Affected) -> frozenset[Comparable]:
        """The parsed ``versions`` of an entry, as a set: lists run to hundreds of versions."""
        memo = id(entry)
        listed = self._listed_keys.get(memo)
        if listed is None:
            keys = (self._key(scheme, text) for text in entry.versions)
            listed = self._listed_keys[memo] = frozenset(k for k in keys if k is not None)
        return listed

    @staticmethod
    def _in_range(version: Comparable, events: list[tuple[Comparable | None, EventKind]]) -> bool:
        affected = False
        for key, kind in events:
            if key is not None and version < key:
                break  # sorted: every later event is above the version too
            if kind is EventKind.INTRODUCED:
                affected = True
            elif kind in (EventKind.FIXED, EventKind.LIMIT) or (key is not None and key < version):
                affected = False
        return affected

    def check_entry(self, entry: Affected, version: str) -> Verdict:
        hit = version in entry.versions
        undecidable = False
        fixed: list[str] = []
        for rng in entry.ranges:
            if rng.type is RangeType.GIT:
                continue
            scheme = SEMVER if rng.type is RangeType.SEMVER else self.scheme
            if scheme is None:
                undecidable = True
                continue
            key = self._key(scheme, version)
            if key is None:
                undecidable = True
                continue
            if self._in_range(key, self._events(scheme, rng)):
                hit = True
                fixed.extend(e.version for e in rng.events if e.kind is EventKind.FIXED)
        if not hit and entry.versions and self.scheme is not None:
            key = self._key(self.scheme, version)
            # '3.2' and '3.2.0' are one version on PyPI: compare parsed, not text
            hit = key is not None and key in self._listed(self.scheme, entry)
        if hit:
            return Verdict(Outcome.AFFECTED, tuple(fixed))
        return _UNDECIDABLE if undecidable else _NOT_AFFECTED

    def entries(self, advisory: Advisory, name: str) -> tuple[Affected, ...]:
        """The ``affected[]`` entries of ``advisory`` about this ecosystem's ``name``
        (normalized); a scan computes them once per package, not once per version."""
        return tuple(
            entry
            for entry in advisory.affected
            if base_ecosystem(entry.ecosystem) == self.ecosystem
            and normalize_name(entry.ecosystem, entry.name) == name
        )

    def check_entries(self, entries: tuple[Affected, ...], version: str) -> Verdict:
        if len(entries) == 1:
            return self.check_entry(entries[0], version)
        fixed: list[str] = []
        outcome = Outcome.NOT_AFFECTED
        for entry in entries:
            verdict = self.check_entry(entry, version)
            if verdict.outcome is Outcome.AFFECTED:
                outcome = Outcome.AFFECTED
                fixed.extend(verdict.fixed)
            elif verdict.outcome is Outcome.UNDECIDABLE and outcome is Outcome.NOT_AFFECTED:
                outcome = Outcome.UNDECIDABLE
        return Verdict(outcome, tuple(dict.fromkeys(fixed)))

    def check(self, advisory: Advisory, name: str, version: str) -> Verdict:
        """``name`` is normalized; every matching ``affected[]`` entry is evaluated."""
        return self.check_entries(self.entries(advisory, name), version)

    def sort_versions(self, versions: list[str]) -> list[str]:
        """Versions this scheme can order, ascending; the others are left out."""
        if self.scheme is None:
            return []
        scheme = self.scheme
        keyed = [(self._key(scheme, v), v) for v in versions]
        usable = [(k, v) for k, v in keyed if k is not None]
        usable.sort(key=lambda kv: _Key(kv[0]))
        return [v for _, v in usable]

    def newer(self, candidate: str, than: str) -> bool:
        if self.scheme is None:
            return False
        a, b = self._key(self.scheme, candidate), self._key(self.scheme, than)
        return a is not None and b is not None and b < a


class _Key:
    """Adapts a scheme key for ``sort`` (which only needs ``<``)."""

    __slots__ = ("key",)

    def __init__(self, key: Comparable | None) -> None:
        self.key = key

    def __lt__(self, other: _Key) -> bool:
        if self.key is None:
            return other.key is not None
        if other.key is None:
            return False
        return bool(self.key < other.key)


class _EventSortKey:
    __slots__ = ("key", "tie")

    def __init__(self, item: tuple[Comparable | None, EventKind]) -> None:
        self.key = _Key(item[0])
        self.tie = _TIE_ORDER[item[1]]

    def __lt__(self, other: _EventSortKey) -> bool:
        if self.key < other.key:
            return True
        if other.key < self.key:
            return False
        return self.tie < other.tie
