"""The secret detector: every rule over a whole buffer, Hyperscan first, RE2 to confirm.

How a buffer is searched:

1. **Pre-filter.** One Hyperscan block-mode database holds every rule's pattern, each
   reporting the end offset of every match; a pattern Hyperscan cannot match exactly
   (a back-reference, a look-around) is compiled with ``HS_FLAG_PREFILTER`` and
   reports the ends of a superset of its matches. The buffer is scanned once, in C,
   whatever the number of rules; the Python callback runs only on hits. A rule
   Hyperscan cannot compile at all is searched like the fallback below. Without
   Hyperscan (a platform it has no wheel for), the pre-filter is the rules' keywords:
   the lower-cased buffer must contain one, else the rule is not tried.

   Start-of-match tracking (``HS_FLAG_SOM_LEFTMOST``) is not used: it made the
   192-rule catalogue take 28 s to compile (one context rule alone, 2.8 s) against
   0.4 s without it. The start is bounded instead by the rule's widest possible match,
   read from the pattern; a rule with unbounded width (``\\s*``) is confirmed from the
   buffer's start.
2. **Confirm.** Each hit rule's own regex (RE2 in Latin-1 mode, so one byte is one
   character as in Hyperscan; Python ``re`` for a pattern RE2 rejects) runs over the
   hit regions only: from the hit's end minus the rule's widest match (or the buffer's
   start) to the end of the hit's line, widened to whole lines and merged with its
   neighbours. Every match of the pattern ends at a reported offset, so the matches
   found are exactly those a scan of the whole buffer finds, which the fallback does:
   a test checks both agree.
3. **Accept.** A candidate is kept when the lines it spans contain one of the rule's
   keywords (if it has any), its secret (the ``secret`` group, else the match) reaches
   the rule's entropy floor, matches none of the rule's allow patterns nor the global
   placeholder patterns (``EXAMPLE``, ``xxxx``, ``<...>``, ``${...}``, UUIDs, commit
   SHAs, integrity hashes, ``data:`` URIs, environment look-ups...), passes the rule's
   validator, and, for a rule that ``requires`` another, that rule matched within
   ``window`` lines.
4. **Suppress.** A line carrying ``glasshouse:allow RULE-ID reason`` (any comment
   syntax; ``*`` for every rule; several ids separated by commas) suppresses matches
   of those rules on that line and the next. The match is kept, marked with the reason;
   a marker without a reason suppresses nothing and is reported.

Line numbers are computed for hits only, counting newlines in C between sorted hit
offsets. Working-tree files go through :meth:`Detector.scan`; a git commit's added
lines go through :meth:`Detector.scan_lines` as one buffer (one Hyperscan call for a
whole commit), each buffer line mapped back to its path and line number.

A :class:`Detector` holds Hyperscan scratch space and is not thread-safe: use one per
thread or process.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from glasshouse.inline_allow import LITERAL as _MARKER_LITERAL
from glasshouse.inline_allow import read_marker_line
from glasshouse.secrets.rule import Rule
from glasshouse.secrets.text import looks_binary, looks_minified

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Hyperscan events in one buffer past which the detector stops collecting spans and asks
# a second, one-event-per-rule database which rules match at all (a flood comes from a
# loose pattern over a long run of token characters: each end offset is an event).
FLOOD_EVENTS = 20_000
SUPPRESSION_MARKER = _MARKER_LITERAL

SKIP_BINARY = "binary"
SKIP_OVERSIZED = "oversized"
SKIP_MINIFIED = "minified"

# Placeholders and well-known non-secrets, searched in a candidate secret. Each has a
# name; a rule whose own examples hold a secret one of them matches (Heroku API keys are
# UUIDs) is exempt from that one.
GLOBAL_ALLOW: tuple[tuple[str, str], ...] = (
    ("example", r"(?i)example"),
    ("x-run", r"(?i)xxxx"),
    ("masked", r"\*\*\*\*|\.\.\.\.|…"),
    ("angle-placeholder", r"<[^<>\n]{1,64}>"),
    ("shell-variable", r"\$\{[^{}\n]{0,64}\}|\$\([^()\n]{0,64}\)|^\$[A-Za-z_][A-Za-z0-9_]*$"),
    ("template", r"\{\{.{0,64}?\}\}|\{%.{0,64}?%\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sdr]"),
    ("changeme", r"(?i)change[_-]?me|replace[_-]?me|placeholder|redacted|dummy"),
    ("environment", r"os\.environ|process\.env|getenv\("),
    (
        "uuid",
        r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    ),
    ("hex-digest", r"^(?:[0-9a-f]{40}|[0-9A-F]{40}|[0-9a-f]{64}|[0-9A-F]{64})$"),
    ("integrity", r"^sha(?:1|256|384|512)-[A-Za-z0-9+/]+={0,2}$"),
    ("data-uri", r"data:[\w/+.-]*;base64,"),
)
# Placeholders recognized by the text around the secret on its line: the secret is an
# environment variable's name, part of an integrity hash or a data URI, or sits inside
# a template expression. Each is (name, pattern the text before must end with,
# pattern the text after must start with, or None).
_CONTEXT_ALLOW: tuple[tuple[str, str, str | None], ...] = (
    (
        "environment",
        r"(?:os\.environ(?:\.get)?\s*[\[(]|getenv\s*\(|process\.env(?:\.|\[))\s*[\"']?$",
        None,
    ),
    ("integrity", r"sha(?:1|256|384|512)-$", None),
    ("data-uri", r"data:[\w/+.-]*;base64,[A-Za-z0-9+/=]*$", None),
    ("shell-variable", r"\$\{[^{}\n]{0,64}$", r"^[^{}\n]{0,64}\}"),
    ("template", r"\{\{[^{}\n]{0,64}$", r"^[^{}\n]{0,64}\}\}"),
    ("angle-placeholder", r"<[\w .:/-]{0,64}$", r"^[\w .:/-]{0,64}>"),
)
_CONTEXT_BYTES = 96  # how much of the line on each side of the secret the context sees


# -- optional engines, behind small typed functions --------------------------------------


def load_hyperscan() -> Any | None:
    """The ``hyperscan`` module, or None where it cannot be imported."""
    try:
        return importlib.import_module("hyperscan")
    except ImportError:
        return None


def load_re2() -> Any | None:
    """The ``re2`` module (google-re2), or None where it cannot be imported."""
    try:
        return importlib.import_module("re2")
    except ImportError:
        return None


def max_width(pattern: bytes) -> int | None:
    """The most bytes a match of ``pattern`` can span, or None if unbounded or unknown.

    Read from Python's own regex parser (``re._parser``, private, hence the guard):
    a pattern it cannot parse, or a later Python without it, is treated as unbounded.
    """
    try:
        parser: Any = importlib.import_module("re._parser")
        high = int(parser.parse(pattern).getwidth()[1])
    except Exception:  # any failure only costs speed: the whole prefix is searched
        return None
    return high if high < _UNBOUNDED else None


_UNBOUNDED = 1 << 24


Span = tuple[int, int, int, int]  # match start, match end, secret start, secret end


class _Regex(Protocol):
    def finditer(self, data: bytes, pos: int, endpos: int) -> Iterator[Any]: ...


@dataclass(frozen=True, slots=True)
class _Confirm:
    """One rule's confirming regex, RE2 or Python ``re``, over bytes."""

    regex: _Regex
    group: int  # the ``secret`` group's number, 0 for the whole match
    engine: str  # "re2" or "re"

    def spans(self, data: bytes, pos: int, endpos: int) -> Iterator[Span]:
        group = self.group
        for match in self.regex.finditer(data, pos, endpos):
            start, end = match.span()
            if start == end:
                continue
            if group:
                secret_start, secret_end = match.span(group)
                if secret_start < 0 or secret_start == secret_end:
                    continue
            else:
                secret_start, secret_end = start, end
            yield start, end, secret_start, secret_end


def _compile_confirm(pattern: bytes, re2: Any | None) -> _Confirm:
    """RE2 in Latin-1 mode (bytes are characters, as for Hyperscan); ``re`` if RE2 refuses."""
    if re2 is not None:
        options = re2.Options()
        options.encoding = re2.Options.Encoding.LATIN1
        options.log_errors = False
        try:
            compiled = re2.compile(pattern, options)
        except re2.error:
            pass
        else:
            group = int(compiled.groupindex.get(b"secret", 0))
            return _Confirm(compiled, group, "re2")
    fallback = re.compile(pattern)
    return _Confirm(fallback, fallback.groupindex.get("secret", 0), "re")


class _Prefilter:
    """A Hyperscan database of every rule it can compile, with the mode of each.

    All rules are first compiled together for exact matching; only if that fails is
    each tried alone (exact, then pre-filter) to set aside what Hyperscan refuses.
    Compiling costs about 2 ms a rule, so with a ``cache_dir`` the modes and the
    serialized database are kept
    there, under a name derived from the patterns and the Hyperscan version, and loaded
    in milliseconds by the next run with the same rules. A cache that is missing,
    unreadable or built for another platform is rebuilt.
    """

    def __init__(self, hs: Any, patterns: Sequence[bytes], cache_dir: Path | None = None) -> None:
        self._hs = hs
        self._single: Any = None
        self._patterns = list(patterns)
        self._database: Any = None
        if cache_dir is not None and self._load(cache_dir):
            return
        self.modes: list[str | None] = ["exact"] * len(patterns)
        try:
            self._database = self._compile()
        except hs.error:
            self.modes = [self._mode(pattern) for pattern in patterns]
            self._database = self._compile()
        if cache_dir is not None and self._database is not None:
            self._save(cache_dir)

    def _compile(self) -> Any:
        hs = self._hs
        ids = self._ids()
        if not ids:
            return None
        database = hs.Database(mode=hs.HS_MODE_BLOCK)
        database.compile(
            expressions=[self._patterns[i] for i in ids],
            ids=ids,
            flags=[self._flag(self.modes[i]) for i in ids],
        )
        return database

    def _ids(self) -> list[int]:
        return [i for i, mode in enumerate(self.modes) if mode is not None]

    def _cache_paths(self, cache_dir: Path) -> tuple[Path, Path]:
        version = str(getattr(self._hs, "__version__", "unknown"))
        digest = hashlib.sha256(version.encode())
        for pattern in self._patterns:
            digest.update(hashlib.sha256(pattern).digest())
        stem = f"secrets-hs-{digest.hexdigest()[:32]}"
        return cache_dir / f"{stem}.json", cache_dir / f"{stem}.db"

    def _load(self, cache_dir: Path) -> bool:
        hs = self._hs
        modes_path, database_path = self._cache_paths(cache_dir)
        try:
            modes = json.loads(modes_path.read_text(encoding="utf-8"))
            if not isinstance(modes, list) or len(modes) != len(self._patterns):
                return False
            if not all(m in {"exact", "prefilter", None} for m in modes):
                return False
            self.modes = modes
            if self._ids():
                self._database = hs.loadb(database_path.read_bytes(), mode=hs.HS_MODE_BLOCK)
                self._database.scratch = hs.Scratch(self._database)
        except (OSError, ValueError, hs.error):
            self._database = None
            return False
        return True

    def _save(self, cache_dir: Path) -> None:
        modes_path, database_path = self._cache_paths(cache_dir)
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            for path, content in (
                (database_path, bytes(self._hs.dumpb(self._database))),
                (modes_path, json.dumps(self.modes).encode()),
            ):
                partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
                partial.write_bytes(content)
                partial.replace(path)
        except OSError:
            pass  # a cache that cannot be written only costs the next run its compile

    def _flag(self, mode: str | None) -> int:
        hs = self._hs
        return int(hs.HS_FLAG_PREFILTER if mode == "prefilter" else 0)

    def _mode(self, pattern: bytes) -> str | None:
        hs = self._hs
        for mode, flag in (("exact", 0), ("prefilter", hs.HS_FLAG_PREFILTER)):
            try:
                hs.Database(mode=hs.HS_MODE_BLOCK).compile(
                    expressions=[pattern], ids=[0], flags=[flag]
                )
            except hs.error:
                continue
            return mode
        return None

    def events(self, data: bytes) -> list[tuple[int, int]] | None:
        """(rule index, end offset) of every hit, or None on a flood of events."""
        events: list[tuple[int, int]] = []
        if self._database is None:
            return events
        append = events.append

        def on_match(rule: int, start: int, end: int, flags: int, context: object) -> bool:
            append((rule, end))
            return len(events) > FLOOD_EVENTS

        try:
            self._database.scan(data, match_event_handler=on_match)
        except self._hs.ScanTerminated:
            return None
        return events

    def rules_matching(self, data: bytes) -> set[int]:
        """The rules with at least one hit: one event per rule at most (for floods)."""
        hs = self._hs
        if self._single is None:
            ids = self._ids()
            self._single = hs.Database(mode=hs.HS_MODE_BLOCK)
            self._single.compile(
                expressions=[self._patterns[i] for i in ids],
                ids=ids,
                flags=[
                    hs.HS_FLAG_SINGLEMATCH | (hs.HS_FLAG_PREFILTER if m == "prefilter" else 0)
                    for m in (self.modes[i] for i in ids)
                ],
            )
        hit: set[int] = set()

        def on_match(rule: int, start: int, end: int, flags: int, context: object) -> None:
            hit.add(rule)

        self._single.scan(data, match_event_handler=on_match)
        return hit


# -- results -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """One accepted secret. ``secret`` is the raw value: hash and mask it, never print it
    (it is left out of ``repr``)."""

    rule: Rule
    secret: str = field(repr=False)
    path: str
    line: int  # 1-based, where the match starts
    column: int  # 1-based, in characters of the line
    end_line: int  # where the match ends (private keys span lines)
    suppressed: str | None = None  # the reason of an inline ``glasshouse:allow``


@dataclass(slots=True)
class ScanOutcome:
    """What one file gave: its matches, or why it was skipped."""

    matches: list[SecretMatch] = field(default_factory=list)
    skipped: str | None = None  # "binary", "oversized" or "minified"
    suppression_errors: list[int] = field(default_factory=list)  # lines of reasonless markers


@dataclass(slots=True)
class ChunkOutcome:
    """What a batch of lines (a commit's added lines) gave; iterates as
    ``(match, (path, line))``."""

    matches: list[SecretMatch] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # path -> reason
    suppression_errors: list[tuple[str, int]] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[SecretMatch, tuple[str, int]]]:
        for match in self.matches:
            yield match, (match.path, match.line)


class AddedLinesBuffer(Protocol):
    """A git reader's chunk: added lines joined by newlines, each traceable to its file."""

    @property
    def buffer(self) -> bytes: ...

    def locate_line(self, index: int) -> tuple[str, int]:
        """The path and line of the buffer's 0-based line ``index``."""
        ...


# -- the detector ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    index: int
    rule: Rule
    confirm: _Confirm
    keywords: tuple[bytes, ...]
    allow: tuple[re.Pattern[str], ...]
    global_allow: tuple[re.Pattern[str], ...]
    context_allow: tuple[tuple[re.Pattern[str], re.Pattern[str] | None], ...]
    validator: Callable[[str], bool] | None


@dataclass(slots=True)
class _Candidate:
    rule: _CompiledRule
    start: int
    end: int
    secret_start: int
    secret_end: int
    secret: str
    line: int = 0  # 0-based buffer line of start
    end_line: int = 0
    line_start: int = 0  # offset of the start line's first byte


Origin = Callable[[int], tuple[str, int]]  # 0-based buffer line -> (path, 1-based line)


class _LineCounter:
    """Line numbers of increasing offsets, counting newlines in C between queries."""

    __slots__ = ("_data", "_line", "_offset")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0
        self._line = 0

    def line_of(self, offset: int) -> int:
        if offset >= self._offset:
            self._line += self._data.count(b"\n", self._offset, offset)
        else:
            self._line -= self._data.count(b"\n", offset, self._offset)
        self._offset = offset
        return self._line


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "backslashreplace")


class Detector:
    """Every rule of a catalogue, compiled once, run over buffers.

    ``validators`` maps a rule's ``validator`` name to its check; ``entropy`` measures a
    secret in bits per character. ``max_bytes`` is the size past which a file is skipped
    as oversized. ``use_hyperscan=False`` forces the keyword pre-filter. ``cache_dir``
    keeps the compiled Hyperscan database between runs (see :class:`_Prefilter`).
    """

    def __init__(
        self,
        rules: Sequence[Rule],
        validators: Mapping[str, Callable[[str], bool]],
        entropy: Callable[[str], float],
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        use_hyperscan: bool = True,
        cache_dir: Path | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self._entropy = entropy
        ids = [rule.id for rule in rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate secret rule ids: {', '.join(duplicates)}")
        for rule in rules:
            if rule.validator is not None and rule.validator not in validators:
                raise ValueError(f"rule {rule.id}: unknown validator {rule.validator!r}")
            if rule.requires is not None and rule.requires not in ids:
                raise ValueError(f"rule {rule.id}: requires unknown rule {rule.requires!r}")
        re2 = load_re2()
        patterns = [rule.pattern.encode("utf-8") for rule in rules]
        self._rules: list[_CompiledRule] = []
        for i, rule in enumerate(rules):
            try:
                confirm = _compile_confirm(patterns[i], re2)
            except re.error as exc:
                raise ValueError(f"rule {rule.id}: pattern does not compile: {exc}") from None
            self._rules.append(self._compile(i, rule, confirm, validators))
        hs = load_hyperscan() if use_hyperscan else None
        # The suppression marker rides along as one more literal: no second pass for it.
        self._marker = len(rules)
        self._prefilter = (
            _Prefilter(hs, [*patterns, re.escape(SUPPRESSION_MARKER)], cache_dir)
            if hs is not None
            else None
        )
        modes = self._prefilter.modes if self._prefilter else [None] * len(patterns)
        self._widths = [
            max_width(pattern) if mode is not None else None
            for pattern, mode in zip(patterns, modes, strict=False)
        ]
        # Rules searched without Hyperscan: all of them in the fallback, else those it
        # could not compile.
        self._unfiltered = [
            compiled
            for compiled in self._rules
            if self._prefilter is None or self._prefilter.modes[compiled.index] is None
        ]

    @property
    def engine(self) -> str:
        """The pre-filter in use: ``hyperscan``, or ``keywords`` without it."""
        return "hyperscan" if self._prefilter is not None else "keywords"

    def engines(self) -> dict[str, tuple[str, str]]:
        """Per rule id: (pre-filter mode: "exact", "prefilter" or "none"; "re2" or "re")."""
        modes = self._prefilter.modes if self._prefilter is not None else None
        return {
            c.rule.id: ((modes[c.index] or "none") if modes else "keywords", c.confirm.engine)
            for c in self._rules
        }

    @staticmethod
    def _compile(
        index: int,
        rule: Rule,
        confirm: _Confirm,
        validators: Mapping[str, Callable[[str], bool]],
    ) -> _CompiledRule:
        # The rule's own examples decide which global placeholders it is exempt from.
        example_secrets = [
            _decode(example.encode("utf-8")[span[2] : span[3]])
            for example in rule.examples
            for span in confirm.spans(example.encode("utf-8"), 0, len(example.encode("utf-8")))
        ]
        exempt = {
            name
            for name, pattern in GLOBAL_ALLOW
            if any(re.search(pattern, secret) for secret in example_secrets)
        }
        return _CompiledRule(
            index=index,
            rule=rule,
            confirm=confirm,
            keywords=tuple(k.lower().encode("utf-8") for k in rule.keywords),
            allow=tuple(re.compile(pattern) for pattern in rule.allow),
            global_allow=tuple(re.compile(p) for name, p in GLOBAL_ALLOW if name not in exempt),
            context_allow=tuple(
                (re.compile(before), re.compile(after) if after else None)
                for name, before, after in _CONTEXT_ALLOW
                if name not in exempt
            ),
            validator=validators[rule.validator] if rule.validator else None,
        )

    # -- public entry points ------------------------------------------------------------

    def scan(self, data: bytes, path: str) -> ScanOutcome:
        """Search one file's bytes; ``path`` is only carried into the matches."""
        if len(data) > self.max_bytes:
            return ScanOutcome(skipped=SKIP_OVERSIZED)
        if looks_binary(data):
            return ScanOutcome(skipped=SKIP_BINARY)
        if looks_minified(path, data):
            return ScanOutcome(skipped=SKIP_MINIFIED)

        def origin(line: int) -> tuple[str, int]:
            return path, line + 1

        matches, errors = self._search(data, origin)
        return ScanOutcome(matches=matches, suppression_errors=[line for _, line in errors])

    def scan_chunk(self, chunk: AddedLinesBuffer) -> ChunkOutcome:
        """Search a git reader's chunk: a commit's added lines as one buffer, one
        Hyperscan call; matches carry the path and line ``chunk.locate_line`` gives."""
        return self.scan_buffer(chunk.buffer, chunk.locate_line)

    def scan_lines(self, lines: Iterable[tuple[str, int, bytes]]) -> ChunkOutcome:
        """Search ``(path, line number, content)`` lines from many files as one buffer."""
        parts: list[bytes] = []
        origins: list[tuple[str, int]] = []
        for path, number, content in lines:
            rows = content.rstrip(b"\r\n").split(b"\n")
            parts.extend(rows)
            origins.extend((path, number + k) for k in range(len(rows)))
        return self.scan_buffer(b"\n".join(parts), origins.__getitem__)

    def scan_buffer(self, data: bytes, origin: Callable[[int], tuple[str, int]]) -> ChunkOutcome:
        """Search a buffer of lines from many files: ``origin(i)`` is the path and line of
        its 0-based line ``i``. No file is skipped (the caller chose the lines), but a
        match on a long, space-less line of a bundle's path is dropped and the path
        listed in ``skipped`` as minified, as a minified file of the tree would be."""
        outcome = ChunkOutcome()
        matches, errors = self._search(data, origin, minified=outcome.skipped)
        outcome.matches = matches
        outcome.suppression_errors = errors
        return outcome

    # -- the search ---------------------------------------------------------------------

    def _regions(self, data: bytes) -> tuple[dict[int, list[tuple[int, int]]], list[int] | None]:
        """Per rule index, the raw spans its confirming regex must search; and the
        offsets of suppression markers when the pre-filter found them."""
        regions: dict[int, list[tuple[int, int]]] = {}
        markers: list[int] | None = None
        size = len(data)
        if self._prefilter is not None:
            events = self._prefilter.events(data)
            if events is None:
                for index in self._prefilter.rules_matching(data):
                    if index != self._marker:
                        regions[index] = [(0, size)]
            else:
                markers = []
                widths, marker = self._widths, self._marker
                for index, end in events:
                    if index == marker:
                        markers.append(end - len(SUPPRESSION_MARKER))
                        continue
                    spans = regions.get(index)
                    if spans is None:
                        spans = regions[index] = []
                    width = widths[index]
                    spans.append((0 if width is None else max(0, end - width), end))
        if self._unfiltered:
            lowered = data.lower() if any(c.keywords for c in self._unfiltered) else data
            for compiled in self._unfiltered:
                if not compiled.keywords or any(k in lowered for k in compiled.keywords):
                    regions[compiled.index] = [(0, size)]
        return regions, markers

    @staticmethod
    def _merge_lines(data: bytes, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Spans widened to whole lines (with their newline), sorted and merged."""
        spans.sort()
        merged: list[tuple[int, int]] = []
        find, rfind = data.find, data.rfind
        size = len(data)
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    stop = find(b"\n", end)
                    merged[-1] = (merged[-1][0], size if stop < 0 else stop + 1)
                continue
            stop = find(b"\n", end)
            merged.append((rfind(b"\n", 0, start) + 1, size if stop < 0 else stop + 1))
        return merged

    def _search(
        self, data: bytes, origin: Origin, minified: dict[str, str] | None = None
    ) -> tuple[list[SecretMatch], list[tuple[str, int]]]:
        if not data:
            return [], []
        candidates: list[_Candidate] = []
        rules = self._rules
        regions, markers = self._regions(data)
        for index, spans in regions.items():
            compiled = rules[index]
            for pos, endpos in self._merge_lines(data, spans):
                for start, end, s_start, s_end in compiled.confirm.spans(data, pos, endpos):
                    candidates.append(
                        _Candidate(
                            compiled, start, end, s_start, s_end, _decode(data[s_start:s_end])
                        )
                    )
        suppressions, errors = self._suppressions(data, origin, markers)
        if not candidates:
            return [], errors
        candidates.sort(key=lambda c: c.start)
        accepted = [c for c in candidates if self._accept(c, data)]
        counter = _LineCounter(data)
        for candidate in accepted:
            candidate.line = counter.line_of(candidate.start)
            candidate.end_line = candidate.line + data.count(
                b"\n", candidate.start, candidate.end - 1
            )
        accepted = self._required(accepted, origin)
        return self._matches(accepted, data, origin, suppressions, minified), errors

    def _accept(self, candidate: _Candidate, data: bytes) -> bool:
        compiled = candidate.rule
        rule = compiled.rule
        secret = candidate.secret
        line_start = data.rfind(b"\n", 0, candidate.start) + 1
        line_end = data.find(b"\n", candidate.end)
        if line_end < 0:
            line_end = len(data)
        if compiled.keywords:
            lowered = data[line_start:line_end].lower()
            if not any(k in lowered for k in compiled.keywords):
                return False
        if rule.entropy is not None and self._entropy(secret) < rule.entropy:
            return False
        if any(p.search(secret) for p in compiled.allow):
            return False
        if any(p.search(secret) for p in compiled.global_allow):
            return False
        if compiled.context_allow:
            at, stop = candidate.secret_start, candidate.secret_end
            before = data[max(line_start, at - _CONTEXT_BYTES) : at].decode("latin-1")
            after_text = data[stop : min(line_end, stop + _CONTEXT_BYTES)].decode("latin-1")
            for prefix, suffix in compiled.context_allow:
                if prefix.search(before) and (suffix is None or suffix.search(after_text)):
                    return False
        if compiled.validator is not None and not compiled.validator(secret):
            return False
        candidate.line_start = line_start
        return True

    @staticmethod
    def _required(accepted: list[_Candidate], origin: Origin) -> list[_Candidate]:
        """Drop candidates of rules that need another rule's match nearby and lack it."""
        if not any(c.rule.rule.requires for c in accepted):
            return accepted
        by_rule: dict[str, list[tuple[str, int]]] = {}
        for candidate in accepted:
            by_rule.setdefault(candidate.rule.rule.id, []).append(origin(candidate.line))
        kept: list[_Candidate] = []
        for candidate in accepted:
            rule = candidate.rule.rule
            if rule.requires is None:
                kept.append(candidate)
                continue
            path, line = origin(candidate.line)
            near = by_rule.get(rule.requires, ())
            if any(p == path and abs(n - line) <= rule.window for p, n in near):
                kept.append(candidate)
        return kept

    def _matches(
        self,
        accepted: list[_Candidate],
        data: bytes,
        origin: Origin,
        suppressions: dict[int, tuple[frozenset[str], str]],
        minified: dict[str, str] | None,
    ) -> list[SecretMatch]:
        out: list[SecretMatch] = []
        seen: set[tuple[str, str, str, int]] = set()
        for candidate in accepted:
            path, line = origin(candidate.line)
            rule = candidate.rule.rule
            key = (rule.id, candidate.secret, path, line)
            if key in seen:
                continue
            seen.add(key)
            end_path, end_line = origin(candidate.end_line)
            if end_path != path:
                continue  # a match across two files' lines of a commit is no match
            if minified is not None:
                stop = data.find(b"\n", candidate.start)
                if looks_minified(path, data[candidate.line_start : None if stop < 0 else stop]):
                    minified[path] = SKIP_MINIFIED
                    continue
            column = len(data[candidate.line_start : candidate.start].decode("utf-8", "replace"))
            reason = None
            for marker_line in (candidate.line, candidate.line - 1):
                found = suppressions.get(marker_line)
                if found is None or (
                    marker_line != candidate.line and origin(marker_line) != (path, line - 1)
                ):
                    continue
                ids, why = found
                if "*" in ids or rule.id in ids:
                    reason = why
                    break
            out.append(
                SecretMatch(rule, candidate.secret, path, line, column + 1, end_line, reason)
            )
        return out

    @staticmethod
    def _suppressions(
        data: bytes, origin: Origin, markers: list[int] | None
    ) -> tuple[dict[int, tuple[frozenset[str], str]], list[tuple[str, int]]]:
        """Markers by 0-based buffer line, and where a marker lacks its rule or reason.

        ``markers`` are the markers' offsets if the pre-filter found them, else the
        buffer is searched for them here.
        """
        found: dict[int, tuple[frozenset[str], str]] = {}
        errors: list[tuple[str, int]] = []
        if markers is None:
            markers = []
            at = data.find(SUPPRESSION_MARKER)
            while at >= 0:
                markers.append(at)
                at = data.find(SUPPRESSION_MARKER, at + 1)
        if not markers:
            return found, errors
        counter = _LineCounter(data)
        done_line = -1
        for at in sorted(markers):
            line = counter.line_of(at)
            if line == done_line:
                continue  # the first marker of a line reads them all
            done_line = line
            line_start = data.rfind(b"\n", 0, at) + 1
            line_end = data.find(b"\n", at)
            line_end = len(data) if line_end < 0 else line_end
            ids, reasons, valid = read_marker_line(data, line_start, line_end)
            if ids:
                found[line] = (frozenset(ids), reasons)
            if not valid:
                errors.append(origin(line))
        return found, errors
