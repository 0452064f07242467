"""A SARIF 2.1.0 log (bytes) to Glasshouse findings: the pure half of the import.

Each ``runs[].results[]`` entry becomes one ``FindingKind.CODE`` finding whose rule id is
``<tool>:<ruleId>`` (``tool``: the driver's name, lower case, spaces as ``-``). The rule is
found by ``ruleIndex`` (or ``rule.index``, in ``tool.extensions[rule.toolComponent.index]``
or the one that ``rule.toolComponent.name`` names: CodeQL lists query packs there),
else by id; a hierarchical id (``CA2000/sub``) falls back to its first part.

- Title: the rule's ``shortDescription`` unless it only repeats the rule id (Semgrep writes
  ``Semgrep Finding: <id>``), else the message's first line (200 characters at most).
- Message: ``message.text``, or ``message.id`` looked up in the rule's ``messageStrings``
  then the component's ``globalMessageStrings``; ``{0}``-style placeholders filled from
  ``message.arguments``. First line, 500 characters at most, quoted credentials redacted.
- Severity: see ``glasshouse.sarif_import.severity``.
- Location: the first location with a ``physicalLocation.artifactLocation`` (its ``uri``,
  or ``run.artifacts[index]``), made relative to the root by
  ``glasshouse.sarif_import.uris``; none: the SARIF file itself, without a line.
- Fingerprint: ``glasshouse.fingerprint`` over the rule id, the path and an identity that
  never holds a line number: the ``partialFingerprints``, else the ``fingerprints`` (sorted
  ``key=value`` lines; a value holding whitespace is a placeholder, not a fingerprint:
  Semgrep without a login writes ``"requires login"`` for every result), else a SHA-256
  of the whitespace-collapsed ``region.snippet``, else of the message. Results with one
  fingerprint collapse into the first of them, across runs too (an unsuppressed one wins
  over a suppressed one).
- Fix: ``fixes[0].description``, else the first paragraph of the rule's ``help`` or its
  ``fullDescription`` (300 characters at most), else a pointer to the rule's ``helpUri``.
- Suppressed results (a suppression with status ``accepted`` or none) are kept, tagged
  ``suppressed-in-source``: the gate shows them and does not count them.
- Results of kind ``pass`` or ``notApplicable`` are not findings and are left out.
- Source text is never kept: ``region.snippet`` is read only to hash it, and
  ``contextRegion`` is not read at all.

Bad input never raises. Whatever stops the whole file (not JSON, not SARIF 2.1.0) or part
of it (a run, one result, a rule) becomes a one-line blocking ``Problem`` that names the
JSON pointer; the rest still imports. A log without ``version`` but with ``runs`` is read
as 2.1.0, with a non-blocking note. A producer reporting that its run failed
(``executionSuccessful: false``) or that it could not do something
(an ``error``-level notification: Bandit's "syntax error while parsing AST from file")
also gives a blocking problem: its results are incomplete.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glasshouse.fingerprint import fingerprint
from glasshouse.model import (
    SUPPRESSED_IN_SOURCE,
    CodeDetails,
    Finding,
    FindingKind,
    Fix,
    Location,
    Problem,
    Severity,
)
from glasshouse.sarif_import._access import (
    SarifError,
    expect_obj,
    opt_arr,
    opt_int,
    opt_obj,
    opt_str,
    text_of,
)
from glasshouse.sarif_import.severity import (
    KINDS,
    NOT_FINDINGS,
    check_level,
    score_severity,
    severity,
)
from glasshouse.sarif_import.text import (
    clean,
    collapse,
    digest,
    first_line,
    one_line,
    paragraph,
    substitute,
    truncate,
)
from glasshouse.sarif_import.uris import PathResolver

SCANNER = "sarif"
SARIF_VERSION = "2.1.0"
SUPPRESSED_TAG = SUPPRESSED_IN_SOURCE
MAX_PROBLEMS = 100  # per file; the rest are counted in one last problem
TITLE_LIMIT = 200
MESSAGE_LIMIT = 500
FIX_LIMIT = 300
_ANY_SPACE = re.compile(r"\s")
_BOILERPLATE_TITLE = re.compile(r"^[\w .\-]{0,40}:\s*")


@dataclass
class SarifImport:
    """What one SARIF file gave: findings, problems, and the tools that produced it."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)  # tool names as in the rule ids


@dataclass(frozen=True, slots=True)
class _Rule:
    """What results take from their rule, worked out once per rule."""

    id: str | None = None
    title: str | None = None  # an informative shortDescription, else the name
    fix: str | None = None  # from help or fullDescription
    help_uri: str | None = None
    level: str | None = None
    score: Severity | None = None  # from security-severity
    informative: bool = False  # title from a shortDescription that says more than the id
    messages: dict[str, str] = field(default_factory=dict)


def _make_rule(
    rule_id: str | None,
    name: str | None,
    short: str | None,
    texts: tuple[str | None, ...],
    help_uri: str | None,
    level: str | None,
    properties: dict[str, Any] | None,
    messages: dict[str, str],
) -> _Rule:
    title = one_line(short or "", TITLE_LIMIT)
    informative = bool(title) and not _repeats_id(title, rule_id)
    if not informative:
        title = one_line(name or "", TITLE_LIMIT)
    fix = next((paragraph(text, FIX_LIMIT) for text in texts if text and text.strip()), None)
    return _Rule(
        id=rule_id,
        title=title or None,
        fix=fix,
        help_uri=_uri(help_uri),
        level=level,
        score=score_severity(properties),
        informative=informative,
        messages=messages,
    )


_NO_RULE = _Rule()


@dataclass(frozen=True, slots=True)
class _Component:
    pointer: str
    name: str | None
    rules: list[_Rule]
    by_id: dict[str, _Rule]
    messages: dict[str, str]


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[Problem] = []
        self.dropped = 0

    def add(self, message: str, *, blocking: bool = True) -> None:
        if len(self.items) >= MAX_PROBLEMS:
            self.dropped += 1
            return
        text = truncate(first_line(message) or "unreadable", 1000)
        self.items.append(Problem(SCANNER, text, self.source, blocking))

    def done(self) -> list[Problem]:
        if self.dropped:
            more = f"{self.dropped} more problems like those above, not listed"
            self.items.append(Problem(SCANNER, more, self.source, True))
        return self.items


def parse_sarif(data: bytes, *, source: str, root: Path, fallback_path: str) -> SarifImport:
    """Findings from the SARIF log ``data``; ``source`` names it in problems.

    ``fallback_path`` is the location of results that have none (the SARIF file,
    relative to ``root`` where it lies inside it).
    """
    problems = _Problems(source)
    out = SarifImport()
    document = _load(data, problems)
    if document is not None:
        runs = _runs(document, problems)
        seen: dict[str, int] = {}  # fingerprint -> index in out.findings
        for index, run in enumerate(runs):
            reader = _RunReader(index, root, fallback_path, problems)
            tool = reader.read(run, out.findings, seen)
            if tool is not None and tool not in out.tools:
                out.tools.append(tool)
    out.problems = problems.done()
    return out


def _load(data: bytes, problems: _Problems) -> dict[str, Any] | None:
    if not data.strip():
        problems.add("empty file: not a SARIF log")
        return None
    try:
        document = json.loads(data)
    except RecursionError:
        problems.add("invalid JSON: nested too deeply")
        return None
    except json.JSONDecodeError as exc:
        problems.add(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return None
    except UnicodeDecodeError:
        problems.add("invalid JSON: not UTF-8 text")
        return None
    except ValueError as exc:  # an integer too long to convert, say
        problems.add(f"invalid JSON: {first_line(str(exc))}")
        return None
    if not isinstance(document, dict):
        problems.add("not a SARIF log: the top level is not a JSON object")
        return None
    return document


def _runs(document: dict[str, Any], problems: _Problems) -> list[Any]:
    version = document.get("version")
    runs = document.get("runs")
    if version is None:
        if not isinstance(runs, list):
            problems.add("not a SARIF log: no 'version' and no 'runs' array")
            return []
        problems.add(f"no 'version': read as SARIF {SARIF_VERSION}", blocking=False)
    elif not isinstance(version, str):
        problems.add("'version' is not a string")
        return []
    elif version != SARIF_VERSION:
        shown = truncate(clean(version), 40)
        problems.add(f"unsupported SARIF version {shown!r}: Glasshouse reads {SARIF_VERSION}")
        return []
    if runs is None:
        problems.add("'runs' is null or absent: the producing tool did not run")
        return []
    if not isinstance(runs, list):
        problems.add("'runs' is not an array")
        return []
    return runs


class _RunReader:
    """Reads one ``runs[i]``: its tool, rules and base ids, then each result."""

    def __init__(self, index: int, root: Path, fallback_path: str, problems: _Problems) -> None:
        self.pointer = f"runs[{index}]"
        self.root = root
        self.fallback = fallback_path
        self.problems = problems
        self.tool = ""
        self.tool_name = ""
        self.tool_version: str | None = None
        self.components: list[_Component] = []
        self.artifacts: list[Any] = []
        self.resolver = PathResolver(root, {})

    def read(self, raw: object, findings: list[Finding], seen: dict[str, int]) -> str | None:
        try:
            run, results = self._header(raw)
        except SarifError as exc:
            self.problems.add(f"{exc.pointer}: {exc.message}; run skipped")
            return None
        self._invocations(run)
        if results is None:
            self.problems.add(
                f"{self.pointer}.results is absent: {self.tool_name} produced no results"
            )
            return self.tool
        for j, item in enumerate(results):
            pointer = f"{self.pointer}.results[{j}]"
            try:
                finding = self._result(item, pointer)
            except SarifError as exc:
                self.problems.add(f"{exc.pointer}: {exc.message}; result skipped")
                continue
            if finding is not None:
                _keep(finding, findings, seen)
        return self.tool

    # -- the run ---------------------------------------------------------------------

    def _header(self, raw: object) -> tuple[dict[str, Any], list[Any] | None]:
        p = self.pointer
        run = expect_obj(raw, p)
        tool = expect_obj(run.get("tool"), f"{p}.tool")
        driver = expect_obj(tool.get("driver"), f"{p}.tool.driver")
        name = first_line(opt_str(driver, "name", f"{p}.tool.driver") or "")
        if not name:
            raise SarifError(f"{p}.tool.driver.name", "is missing")
        self.tool_name = truncate(name, 100)
        self.tool = re.sub(r"\s+", "-", self.tool_name.lower())
        version = opt_str(driver, "version", f"{p}.tool.driver") or opt_str(
            driver, "semanticVersion", f"{p}.tool.driver"
        )
        self.tool_version = truncate(first_line(version or ""), 100) or None
        self.components = [self._component(driver, f"{p}.tool.driver")]
        for k, ext in enumerate(opt_arr(tool, "extensions", f"{p}.tool") or []):
            ext_pointer = f"{p}.tool.extensions[{k}]"
            self.components.append(self._component(expect_obj(ext, ext_pointer), ext_pointer))
        self.resolver = PathResolver(self.root, self._bases(run))
        self.artifacts = opt_arr(run, "artifacts", p) or []
        return run, opt_arr(run, "results", p)

    def _bases(self, run: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
        pointer = f"{self.pointer}.originalUriBaseIds"
        bases: dict[str, tuple[str | None, str | None]] = {}
        for name, raw in (opt_obj(run, "originalUriBaseIds", self.pointer) or {}).items():
            entry_pointer = f"{pointer}.{_key(name)}"
            entry = expect_obj(raw, entry_pointer)
            uri = opt_str(entry, "uri", entry_pointer)
            bases[name] = (uri, opt_str(entry, "uriBaseId", entry_pointer))
        return bases

    def _component(self, raw: dict[str, Any], pointer: str) -> _Component:
        rules: list[_Rule] = []
        by_id: dict[str, _Rule] = {}
        for k, item in enumerate(opt_arr(raw, "rules", pointer) or []):
            rule = self._rule(item, f"{pointer}.rules[{k}]")
            rules.append(rule)
            if rule.id is not None:
                by_id.setdefault(rule.id, rule)
        try:
            messages = _message_strings(raw, "globalMessageStrings", pointer)
        except SarifError as exc:
            self.problems.add(f"{exc.pointer}: {exc.message}; ignored")
            messages = {}
        try:
            name = opt_str(raw, "name", pointer)
        except SarifError:
            name = None  # the driver's is checked by the caller; an extension's is optional
        return _Component(pointer, name, rules, by_id, messages)

    def _rule(self, raw: object, pointer: str) -> _Rule:
        """A rule descriptor; a broken one is reported and kept as far as its id."""
        try:
            rule = expect_obj(raw, pointer)
            config = opt_obj(rule, "defaultConfiguration", pointer)
            level = None
            if config is not None:
                config_pointer = f"{pointer}.defaultConfiguration"
                level = check_level(
                    opt_str(config, "level", config_pointer), f"{config_pointer}.level"
                )
            return _make_rule(
                rule_id=opt_str(rule, "id", pointer),
                name=opt_str(rule, "name", pointer),
                short=text_of(rule, "shortDescription", pointer),
                texts=(text_of(rule, "help", pointer), text_of(rule, "fullDescription", pointer)),
                help_uri=opt_str(rule, "helpUri", pointer),
                level=level,
                properties=opt_obj(rule, "properties", pointer),
                messages=_message_strings(rule, "messageStrings", pointer),
            )
        except SarifError as exc:
            self.problems.add(f"{exc.pointer}: {exc.message}; rule read as its id only")
            rule_id = raw.get("id") if isinstance(raw, dict) else None
            return _Rule(id=rule_id if isinstance(rule_id, str) else None)

    def _invocations(self, run: dict[str, Any]) -> None:
        """Turn a failed run and error notifications into problems."""
        try:
            invocations = opt_arr(run, "invocations", self.pointer) or []
            for k, raw in enumerate(invocations):
                pointer = f"{self.pointer}.invocations[{k}]"
                invocation = expect_obj(raw, pointer)
                if invocation.get("executionSuccessful") is False:
                    self.problems.add(
                        f"{pointer}: {self.tool_name} reports that its run failed "
                        "(executionSuccessful is false); its results may be incomplete"
                    )
                for key in ("toolExecutionNotifications", "toolConfigurationNotifications"):
                    for n, note in enumerate(opt_arr(invocation, key, pointer) or []):
                        self._notification(note, f"{pointer}.{key}[{n}]")
        except SarifError as exc:
            self.problems.add(f"{exc.pointer}: {exc.message}")

    def _notification(self, raw: object, pointer: str) -> None:
        note = expect_obj(raw, pointer)
        if opt_str(note, "level", pointer) != "error":
            return
        text = one_line(text_of(note, "message", pointer) or "an error", MESSAGE_LIMIT)
        where = ""
        for k, loc in enumerate(opt_arr(note, "locations", pointer) or []):
            lp = f"{pointer}.locations[{k}]"
            found = self._physical(expect_obj(loc, lp), lp)
            if found is not None:
                where = f" ({self.resolver.resolve(found[0], found[1])})"
                break
        self.problems.add(f"{pointer}: {self.tool_name} reports an error: {text}{where}")

    # -- one result ------------------------------------------------------------------

    def _result(self, raw: object, p: str) -> Finding | None:
        result = expect_obj(raw, p)
        kind = opt_str(result, "kind", p) or "fail"
        if kind not in KINDS:
            raise SarifError(f"{p}.kind", f"unknown kind {truncate(clean(kind), 40)!r}")
        if kind in NOT_FINDINGS:
            return None
        component, rule, rule_id = self._rule_of(result, p)
        message = self._message(result, p, rule, component)
        message_line = one_line(message, MESSAGE_LIMIT)
        location, snippet = self._location(result, p)
        full_rule_id = f"{self.tool}:{rule_id}"
        identity = self._identity(result, p, snippet, message)
        level = check_level(opt_str(result, "level", p), f"{p}.level")
        return Finding(
            kind=FindingKind.CODE,
            rule_id=full_rule_id,
            title=_title(rule, rule_id, message_line),
            severity=severity(
                result_properties=opt_obj(result, "properties", p),
                rule_score=rule.score,
                result_level=level,
                rule_level=rule.level,
                kind=kind,
                tool=self.tool,
            ),
            location=location,
            fingerprint=fingerprint(FindingKind.CODE, full_rule_id, identity, location.path),
            fix=Fix(summary=self._fix(result, p, rule)),
            code=CodeDetails(
                tool=self.tool_name,
                message=message_line,
                tool_version=self.tool_version,
                help_uri=rule.help_uri,
            ),
            tags=(SUPPRESSED_TAG,) if _suppressed(result, p) else (),
        )

    def _rule_of(self, result: dict[str, Any], p: str) -> tuple[_Component, _Rule, str]:
        reference = opt_obj(result, "rule", p)
        rule_id = opt_str(result, "ruleId", p)
        index = opt_int(result, "ruleIndex", p, minimum=-1)
        component = self.components[0]
        if reference is not None:
            ref_pointer = f"{p}.rule"
            if rule_id is None:
                rule_id = opt_str(reference, "id", ref_pointer)
            if index is None or index < 0:
                index = opt_int(reference, "index", ref_pointer, minimum=-1)
            tool_component = opt_obj(reference, "toolComponent", ref_pointer)
            if tool_component is not None:
                tc_pointer = f"{ref_pointer}.toolComponent"
                which = opt_int(tool_component, "index", tc_pointer, minimum=-1)
                if which is not None and which >= 0:
                    if which + 1 >= len(self.components):
                        raise SarifError(
                            f"{tc_pointer}.index",
                            f"is {which}, but the run has {len(self.components) - 1} extensions",
                        )
                    component = self.components[which + 1]
                else:
                    name = opt_str(tool_component, "name", tc_pointer)
                    if name is not None:
                        component = self._component_named(name, f"{tc_pointer}.name")
        rule = _NO_RULE
        if index is not None and index >= 0:
            if index >= len(component.rules):
                raise SarifError(
                    f"{p}.ruleIndex",
                    f"is {index}, but {component.pointer} has {len(component.rules)} rules",
                )
            rule = component.rules[index]
        elif rule_id is not None:
            found = component.by_id.get(rule_id)
            if found is None and "/" in rule_id:
                found = component.by_id.get(rule_id.split("/", 1)[0])
            rule = found or _NO_RULE
        shown = first_line(rule_id or "") or first_line(rule.id or "") or "unknown"
        return component, rule, truncate(shown, 200)

    def _component_named(self, name: str, pointer: str) -> _Component:
        for component in self.components:
            if component.name == name:
                return component
        raise SarifError(pointer, f"{truncate(first_line(name), 60)!r} names no tool component")

    def _message(self, result: dict[str, Any], p: str, rule: _Rule, component: _Component) -> str:
        message = opt_obj(result, "message", p)
        if message is None:
            return ""
        mp = f"{p}.message"
        text = opt_str(message, "text", mp)
        arguments: list[str] = []
        for k, argument in enumerate(opt_arr(message, "arguments", mp) or []):
            if not isinstance(argument, str):
                raise SarifError(f"{mp}.arguments[{k}]", "is not a string")
            arguments.append(argument)
        templated = bool(arguments)
        if text is None:
            message_id = opt_str(message, "id", mp)
            if message_id is None:
                return opt_str(message, "markdown", mp) or ""
            text = rule.messages.get(message_id)
            if text is None:
                text = component.messages.get(message_id)
            if text is None:
                text = self.components[0].messages.get(message_id, message_id)
            templated = True
        return substitute(text, arguments) if templated else text

    def _location(self, result: dict[str, Any], p: str) -> tuple[Location, str | None]:
        for k, raw in enumerate(opt_arr(result, "locations", p) or []):
            lp = f"{p}.locations[{k}]"
            loc = expect_obj(raw, lp)
            found = self._physical(loc, lp)
            if found is None:
                continue
            uri, base_id, physical = found
            path = self.resolver.resolve(uri, base_id)
            pp = f"{lp}.physicalLocation"
            region = opt_obj(physical, "region", pp)
            if region is None:
                return Location(path), None
            rp = f"{pp}.region"
            line = opt_int(region, "startLine", rp, minimum=1)
            column = opt_int(region, "startColumn", rp, minimum=1)
            snippet = text_of(region, "snippet", rp)
            return Location(path, line, column if line is not None else None), snippet
        return Location(self.fallback), None

    def _physical(
        self, loc: dict[str, Any], lp: str
    ) -> tuple[str, str | None, dict[str, Any]] | None:
        """``(uri, uriBaseId, physicalLocation)`` of a location that names an artifact."""
        physical = opt_obj(loc, "physicalLocation", lp)
        if physical is None:
            return None
        pp = f"{lp}.physicalLocation"
        artifact = opt_obj(physical, "artifactLocation", pp)
        if artifact is None:
            return None
        ap = f"{pp}.artifactLocation"
        uri = opt_str(artifact, "uri", ap)
        base_id = opt_str(artifact, "uriBaseId", ap)
        index = opt_int(artifact, "index", ap, minimum=-1)
        if not uri and index is not None and index >= 0:
            if index >= len(self.artifacts):
                raise SarifError(
                    f"{ap}.index", f"is {index}, but the run lists {len(self.artifacts)} artifacts"
                )
            art_pointer = f"{self.pointer}.artifacts[{index}]"
            listed = opt_obj(
                expect_obj(self.artifacts[index], art_pointer), "location", art_pointer
            )
            if listed is not None:
                uri = opt_str(listed, "uri", f"{art_pointer}.location")
                base_id = base_id or opt_str(listed, "uriBaseId", f"{art_pointer}.location")
        if not uri:
            return None
        return uri, base_id, physical

    def _identity(self, result: dict[str, Any], p: str, snippet: str | None, message: str) -> str:
        for key in ("partialFingerprints", "fingerprints"):
            values = _fingerprints(result, key, p)
            if values:
                return f"{key}:{values}"
        if snippet and snippet.strip():
            return f"snippet:{digest(collapse(snippet))}"
        return f"message:{digest(collapse(message))}"

    def _fix(self, result: dict[str, Any], p: str, rule: _Rule) -> str:
        fixes = opt_arr(result, "fixes", p)
        if fixes:
            fp = f"{p}.fixes[0]"
            description = text_of(expect_obj(fixes[0], fp), "description", fp)
            if description and description.strip():
                return paragraph(description, FIX_LIMIT)
        if rule.fix:
            return rule.fix
        if rule.help_uri:
            return f"See the rule's documentation: {rule.help_uri}"
        return "See the rule's documentation"


def _keep(finding: Finding, findings: list[Finding], seen: dict[str, int]) -> None:
    """Keep the first of findings with one fingerprint, unless only it was suppressed:
    a suppression must not hide the same finding left unsuppressed elsewhere."""
    at = seen.get(finding.fingerprint)
    if at is None:
        seen[finding.fingerprint] = len(findings)
        findings.append(finding)
    elif SUPPRESSED_TAG in findings[at].tags and SUPPRESSED_TAG not in finding.tags:
        findings[at] = finding


def _message_strings(raw: dict[str, Any], key: str, pointer: str) -> dict[str, str]:
    strings: dict[str, str] = {}
    for name, value in (opt_obj(raw, key, pointer) or {}).items():
        entry_pointer = f"{pointer}.{key}.{_key(name)}"
        text = opt_str(expect_obj(value, entry_pointer), "text", entry_pointer)
        if text is not None:
            strings[name] = text
    return strings


def _fingerprints(result: dict[str, Any], key: str, p: str) -> str:
    """Sorted ``key=value`` lines of a fingerprint object, placeholders left out."""
    values = opt_obj(result, key, p)
    if not values:
        return ""
    pairs = []
    for name, value in values.items():
        if not isinstance(value, str):
            raise SarifError(f"{p}.{key}.{_key(name)}", "is not a string")
        if value and not _ANY_SPACE.search(value):
            pairs.append(f"{name}={value}")
    return "\n".join(sorted(pairs))


def _suppressed(result: dict[str, Any], p: str) -> bool:
    suppressed = False
    for k, raw in enumerate(opt_arr(result, "suppressions", p) or []):
        sp = f"{p}.suppressions[{k}]"
        status = opt_str(expect_obj(raw, sp), "status", sp)
        if status is None or status == "accepted":
            suppressed = True
    return suppressed


def _title(rule: _Rule, rule_id: str, message_line: str) -> str:
    if rule.informative and rule.title:
        return rule.title
    if message_line:
        return truncate(message_line, TITLE_LIMIT)
    return rule.title or rule_id


def _repeats_id(short: str, rule_id: str | None) -> bool:
    """Whether a short description says no more than the rule id (``Tool Finding: <id>``)."""
    if rule_id is None:
        return False
    own = rule_id.strip().lower()
    return short.lower() == own or _BOILERPLATE_TITLE.sub("", short, count=1).lower() == own


def _uri(text: str | None) -> str | None:
    return truncate(first_line(text or ""), 2000) or None


def _key(name: str) -> str:
    """A JSON key as it may appear in a pointer."""
    return truncate(first_line(name), 60) or '""'
