"""CycloneDX 1.6 JSON: the inventory as an SBOM, the vulnerability findings as VEX.

Built with ``cyclonedx-python-lib`` and checked, in the tests, with its strict JSON
validator for 1.6 (the schemas ship inside the library: validation needs no network).

**Components.** Every package of ``report.packages`` (and any vulnerable package the
inventory lacks), one component per purl: the same package found in several lockfiles
is one component with one ``glasshouse:location`` property (``path:line``) per file.
(Not ``evidence.occurrences``: the library orders occurrences without a bom-ref by
object identity, which would make the output differ from run to run.) The bom-ref is the purl, or
``glasshouse:pkg:<ecosystem>/<name>@<version>`` for ecosystems without a purl type.
Maven ``group:artifact`` and scoped npm/Composer names are split into group and name.
``scope`` follows the dev flags where the lockfile gives them: ``excluded`` when every
occurrence is a dev dependency (the spec's "test and other non-runtime purposes",
which is what CycloneDX's own generators use for dev dependencies; ``optional`` means
"not installed or reachable", which a dev dependency is not), ``required`` when any
occurrence is a runtime dependency, and no scope when unknown. Properties record
``glasshouse:direct``, ``glasshouse:dev``, and for unpinned packages
``glasshouse:version-status`` = ``unpinned`` with ``glasshouse:requirement``: such a
component has no version (nor one in its purl), never a guessed one.

**Dependency graph.** Lockfile scanning knows which packages are direct, not who
depends on whom. The root component (the scanned target) depends on the packages known
to be direct, and a ``compositions`` entry says the rest of the graph is ``unknown``
(``incomplete`` when the lockfile scan could not read something: those problems are
also listed as ``glasshouse:problem`` properties of the metadata). No component gets an empty
dependency entry, which the spec reads as "has no dependencies": a claim Glasshouse
cannot make (so the BOM is not written through the library's outputter, which adds
them; see ``to_dict``). When no package is known to be direct, the BOM has no root
component rather than a root with an invented graph.

**Vulnerabilities.** One per advisory and affected component (the findings of the
same advisory on the same purl in several lockfiles merge): ``id`` is the finding's
rule id, ``source`` the database that publishes that id (NVD for a CVE, GitHub for a
GHSA, OSV otherwise), ``references`` every alias with its own source, ``advisories``
the OSV page and the advisory's references, ``ratings`` one per CVSS vector (v2, v3.0,
v3.1, v4; score computed with the ``cvss`` library) or, without a usable vector,
Glasshouse's severity with method ``other``; ``recommendation`` is the fix; ``affects``
points at the component with the affected version. Only vulnerability findings appear:
secrets, misconfigurations and code findings have no component (see SARIF/GitLab).

**VEX analysis: what each gate disposition truthfully says.** Glasshouse establishes
one fact about each finding: a version the advisory lists as affected is in the
inventory. It never analyses reachability or exploitability, so it never asserts
``not_affected``, ``false_positive`` or ``resolved`` (consumers such as Dependency-Track
suppress those automatically: a wrong one hides a real risk), and never ``in_triage``
(nobody is investigating because a gate ran). Every analysis therefore has state
``exploitable``, which the spec defines as "may be directly or indirectly exploitable";
the gate's decision is carried by ``response`` and ``detail``:

- blocking, allowed, existing (baseline): response ``update`` when a fixed version is
  known (the gate requires it, or the policy lets it wait), none otherwise: no fix to
  point at, and ``can_not_fix`` would be a decision nobody took;
- waived: response ``will_not_fix``, the waiver being an approved risk acceptance; the
  detail names the waiver, its reason, owner, approver, ticket and expiry, which makes
  the "not yet" explicit (the gate judges the finding afresh once the waiver expires);
- ignored (rule disabled, dev dependency, no fix, suppressed in source): no response:
  the policy set a whole class of findings aside without weighing this vulnerability,
  so no response was chosen; the detail says which rule of the policy applied.

When findings of one advisory on one component were judged differently (one lockfile
waived by a path glob, say), the most pressing judgement gives the response, and the
detail lists each file's judgement.

A dev dependency ignored by policy is *not* ``not_affected``: the lockfile's dev flag
is not proof that the shipped artifact lacks the code, and dev tooling runs in CI
beside credentials, where it may be exploited indirectly. The component's
``excluded`` scope already tells consumers it is not part of the runtime. The
disposition, waiver id, Glasshouse severity and fingerprints are also written as
``glasshouse:*`` properties of each vulnerability, for machines.

**Determinism.** The serial number is a UUIDv5 of the start time, target, tool version,
component refs and finding fingerprints; the timestamp is ``report.started_at``; every
bom-ref is set and unique (the library's outputter would draw random ones otherwise).

**Cost.** The library keeps every collection sorted by comparing whole objects: about
0.4 s for 1,000 packages, 3 s for 5,000, and 0.9 s for 1,000 vulnerability findings,
11 s for 10,000, on the development machine (the GitLab report takes 0.5 s for 10,000).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from cyclonedx.contrib.vulnerability.cvss import vs_from_cvss_scores
from cyclonedx.model import Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.dependency import Dependency
from cyclonedx.model.impact_analysis import (
    ImpactAnalysisAffectedStatus,
    ImpactAnalysisResponse,
    ImpactAnalysisState,
)
from cyclonedx.model.lifecycle import LifecyclePhase, PredefinedLifecycle
from cyclonedx.model.tool import ToolRepository
from cyclonedx.model.vulnerability import (
    BomTarget,
    BomTargetVersionRange,
    Vulnerability,
    VulnerabilityAdvisory,
    VulnerabilityAnalysis,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.schema.schema import SchemaVersion1Dot6
from packageurl import PackageURL

from glasshouse.advisories.severity import cvss_score
from glasshouse.ecosystems import MAVEN, NPM, PACKAGIST, base_ecosystem, normalize_name
from glasshouse.model import (
    Disposition,
    Finding,
    FindingKind,
    Judgement,
    Package,
    Problem,
    Report,
    Severity,
    VulnerabilityDetails,
    WaiverUse,
)
from glasshouse.report._advisories import osv_url, publisher
from glasshouse.report.purl import purl

SPEC_VERSION = "1.6"
ROOT_REF = "glasshouse:target"
# Fixed namespace for the serial number's UUIDv5: uuid5(NAMESPACE_URL, "glasshouse:cyclonedx").
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "glasshouse:cyclonedx")
# RFC 3986 characters only: anything else could fail the schema's iri-reference format.
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")

_SEVERITY = {
    Severity.CRITICAL: VulnerabilitySeverity.CRITICAL,
    Severity.HIGH: VulnerabilitySeverity.HIGH,
    Severity.MEDIUM: VulnerabilitySeverity.MEDIUM,
    Severity.LOW: VulnerabilitySeverity.LOW,
    Severity.UNKNOWN: VulnerabilitySeverity.UNKNOWN,
}
# When findings of one advisory on one component were judged differently (one
# lockfile waived by a path glob, say), the most pressing judgement speaks for them.
_PRECEDENCE = {
    Disposition.BLOCKING: 0,
    Disposition.ALLOWED: 1,
    Disposition.EXISTING: 2,
    Disposition.WAIVED: 3,
    Disposition.IGNORED: 4,
}
# Scanners whose blocking problems mean packages may be missing from the inventory.
_INVENTORY_SCANNERS = frozenset({"dependencies", "walk"})
_SEVERITY_SOURCE = {
    "database": "Glasshouse severity, from the advisory database's own rating",
    "unknown": "Glasshouse severity; the advisory gives no usable rating",
}

Item = tuple[Finding, Judgement | None]


@dataclass
class _Entry:
    """One component: every occurrence of one purl (or, without a purl, of one package)."""

    ref: str
    purl: str | None
    packages: list[Package] = field(default_factory=list)


def _key(package: Package) -> tuple[str, str | None]:
    text = purl(package)
    if text is not None:
        return text, text
    name = normalize_name(package.ecosystem, package.name)
    ref = f"glasshouse:pkg:{package.ecosystem}/{name}"
    return (f"{ref}@{package.version}" if package.version else ref), None


def _group_name(package: Package) -> tuple[str | None, str]:
    ecosystem = base_ecosystem(package.ecosystem)
    if ecosystem == MAVEN and ":" in package.name:
        group, name = package.name.split(":", 1)
        return group, name
    if ecosystem in (NPM, PACKAGIST) and "/" in package.name:
        group, name = package.name.rsplit("/", 1)
        return group, name
    return None, package.name


def _flag(values: set[bool | None], *, any_true: bool) -> bool | None:
    """Merge a per-occurrence flag: ``any_true`` says one True decides, else one False."""
    decisive, other = (True, False) if any_true else (False, True)
    if decisive in values:
        return decisive
    if values == {other}:
        return other
    return None


def _component(entry: _Entry) -> Component:
    first = entry.packages[0]
    group, name = _group_name(first)
    direct = _flag({p.direct for p in entry.packages}, any_true=True)
    dev = _flag({p.dev for p in entry.packages}, any_true=False)
    scope = {True: ComponentScope.EXCLUDED, False: ComponentScope.REQUIRED, None: None}[dev]
    properties = [
        Property(name="glasshouse:location", value=str(p.location)) for p in entry.packages
    ]
    if entry.purl is None:
        properties.append(Property(name="glasshouse:ecosystem", value=first.ecosystem))
    if direct is not None:
        properties.append(Property(name="glasshouse:direct", value=str(direct).lower()))
    if dev is not None:
        properties.append(Property(name="glasshouse:dev", value=str(dev).lower()))
    if first.version is None:
        properties.append(Property(name="glasshouse:version-status", value="unpinned"))
        properties.extend(
            Property(name="glasshouse:requirement", value=requirement)
            for requirement in dict.fromkeys(p.requirement for p in entry.packages)
            if requirement
        )
    return Component(
        type=ComponentType.LIBRARY,
        bom_ref=entry.ref,
        group=group,
        name=name,
        version=first.version,
        purl=PackageURL.from_string(entry.purl) if entry.purl else None,
        scope=scope,
        properties=properties,
    )


def _urls(urls: Iterable[str]) -> list[XsUri]:
    return [XsUri(u) for u in dict.fromkeys(urls) if _URL.fullmatch(u)]


def _source(advisory_id: str) -> VulnerabilitySource:
    where = publisher(advisory_id)
    return VulnerabilitySource(name=where.name, url=XsUri(where.url))


def _cvss_kind(vector: str) -> tuple[str, VulnerabilityScoreSource] | None:
    if vector.startswith("CVSS:4."):
        return "CVSS_V4", VulnerabilityScoreSource.CVSS_V4
    if vector.startswith("CVSS:3.1/"):
        return "CVSS_V3", VulnerabilityScoreSource.CVSS_V3_1
    if vector.startswith("CVSS:3."):
        return "CVSS_V3", VulnerabilityScoreSource.CVSS_V3
    if "Au:" in vector:  # CVSS v2 vectors carry no prefix
        return "CVSS_V2", VulnerabilityScoreSource.CVSS_V2
    return None


def _ratings(finding: Finding, vuln: VulnerabilityDetails) -> list[VulnerabilityRating]:
    ratings: list[VulnerabilityRating] = []
    for vector in dict.fromkeys(vuln.cvss_vectors):
        kind = _cvss_kind(vector)
        score = None if kind is None else cvss_score(kind[0], vector)
        if kind is None or score is None:
            continue
        ratings.append(
            VulnerabilityRating(
                score=Decimal(str(score)),
                severity=vs_from_cvss_scores(score),
                method=kind[1],
                vector=vector,
            )
        )
    if not ratings:
        why = _SEVERITY_SOURCE.get(
            vuln.severity_source, f"Glasshouse severity, from {vuln.severity_source}"
        )
        ratings.append(
            VulnerabilityRating(
                source=VulnerabilitySource(name="Glasshouse"),
                severity=_SEVERITY[finding.severity],
                method=VulnerabilityScoreSource.OTHER,
                justification=why,
            )
        )
    return ratings


def _waiver_text(waiver_id: str, uses: Sequence[WaiverUse]) -> str:
    use = next((u for u in uses if u.waiver.id == waiver_id), None)
    if use is None:
        return f"waived by {waiver_id}"
    w = use.waiver
    who = [
        f"owner {w.owner}" if w.owner else "",
        f"approved by {w.approver}" if w.approver else "no approver",
        f"ticket {w.ticket}" if w.ticket else "",
    ]
    return (
        f"waived by {w.id} until {w.expires.isoformat()} "
        f"({', '.join(part for part in who if part)}): {w.reason}"
    )


def _line(finding: Finding, judgement: Judgement | None, uses: Sequence[WaiverUse]) -> str:
    where = finding.location.path
    if judgement is None:
        return f"{where}: not judged by the gate"
    if judgement.disposition is Disposition.WAIVED and judgement.waiver:
        return f"{where}: {_waiver_text(judgement.waiver, uses)}"
    return f"{where}: {judgement.disposition.value} ({judgement.reason})"


def _precedence(item: Item) -> int:
    judgement = item[1]
    return len(_PRECEDENCE) if judgement is None else _PRECEDENCE[judgement.disposition]


def _analysis(items: Sequence[Item], uses: Sequence[WaiverUse]) -> VulnerabilityAnalysis:
    lead = min(items, key=_precedence)[1]
    disposition = None if lead is None else lead.disposition
    fixable = any(
        (f.fix is not None and f.fix.versions)
        or (f.vulnerability and f.vulnerability.fixed_versions)
        for f, _ in items
    )
    responses: list[ImpactAnalysisResponse] = []
    if disposition is Disposition.WAIVED:
        responses.append(ImpactAnalysisResponse.WILL_NOT_FIX)
    elif disposition is not Disposition.IGNORED and fixable:
        responses.append(ImpactAnalysisResponse.UPDATE)
    lines = "; ".join(_line(f, j, uses) for f, j in items)
    return VulnerabilityAnalysis(
        state=ImpactAnalysisState.EXPLOITABLE,
        responses=responses,
        detail=(
            f"Glasshouse gate: {lines}. An affected version is present; "
            "exploitability was not analysed."
        ),
    )


def _vulnerability(
    component: _Entry, vuln: VulnerabilityDetails, items: Sequence[Item], uses: Sequence[WaiverUse]
) -> Vulnerability:
    finding = items[0][0]
    aliases: dict[str, str] = {}  # upper-cased id -> id as first written
    for alias in vuln.advisory_ids:
        aliases.setdefault(alias.upper(), alias)
    aliases.pop(finding.rule_id.upper(), None)
    fixes = dict.fromkeys(f.fix.summary for f, _ in items if f.fix is not None)
    fingerprints = sorted({f.fingerprint for f, _ in items})
    lead = min(items, key=_precedence)[1]
    properties = [
        Property(name="glasshouse:severity", value=finding.severity.label),
        Property(
            name="glasshouse:disposition",
            value="not-judged" if lead is None else lead.disposition.value,
        ),
        *(Property(name="glasshouse:fingerprint", value=fp) for fp in fingerprints),
    ]
    if lead is not None and lead.waiver:
        properties.append(Property(name="glasshouse:waiver", value=lead.waiver))
    version = vuln.package.version
    return Vulnerability(
        bom_ref=f"glasshouse:finding:{fingerprints[0]}",
        id=finding.rule_id,
        source=_source(finding.rule_id),
        references=[VulnerabilityReference(id=a, source=_source(a)) for a in aliases.values()],
        ratings=_ratings(finding, vuln),
        description=finding.title,
        recommendation=" ".join(fixes) or None,
        advisories=[
            VulnerabilityAdvisory(url=u)
            for u in _urls([osv_url(finding.rule_id), *vuln.references])
        ],
        analysis=_analysis(items, uses),
        affects=[
            BomTarget(
                ref=component.ref,
                versions=[
                    BomTargetVersionRange(
                        version=version, status=ImpactAnalysisAffectedStatus.AFFECTED
                    )
                ]
                if version
                else [],
            )
        ],
        properties=properties,
    )


def _inventory_problems(report: Report) -> list[Problem]:
    """Blocking problems that left the inventory incomplete (a lockfile, a directory)."""
    return [p for p in report.problems if p.blocking and p.scanner in _INVENTORY_SCANNERS]


def _timestamp(report: Report) -> datetime:
    moment = datetime.fromisoformat(report.started_at)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _root_name(target: str) -> str:
    return PurePosixPath(target.replace("\\", "/")).name or target or "target"


def build(report: Report) -> Bom:
    """The ``Bom`` for ``report``: for callers that want more than the JSON text."""
    entries: dict[str, _Entry] = {}

    def entry_for(package: Package) -> _Entry:
        ref, text = _key(package)
        found = entries.get(ref)
        if found is None:
            found = entries[ref] = _Entry(ref, text)
        return found

    for package in report.packages:
        entry_for(package).packages.append(package)
    judgements: list[Judgement | None] = list(report.decision.judgements) or [None] * len(
        report.findings
    )
    groups: dict[tuple[str, str], tuple[VulnerabilityDetails, list[Item]]] = {}
    for finding, judgement in zip(report.findings, judgements, strict=True):
        vuln = finding.vulnerability
        if finding.kind is not FindingKind.VULNERABILITY or vuln is None:
            continue
        entry = entry_for(vuln.package)
        if not entry.packages:  # vulnerable, yet missing from the inventory
            entry.packages.append(vuln.package)
        group = groups.setdefault((finding.rule_id, entry.ref), (vuln, []))
        group[1].append((finding, judgement))

    components = {ref: _component(entry) for ref, entry in entries.items()}
    direct = [components[ref] for ref, e in entries.items() if any(p.direct for p in e.packages)]
    root = None
    if direct or not components:
        root = Component(
            type=ComponentType.APPLICATION, name=_root_name(report.target), bom_ref=ROOT_REF
        )
    uses = report.decision.waivers
    vulnerabilities = [
        _vulnerability(entries[ref], vuln, items, uses)
        for (_, ref), (vuln, items) in groups.items()
    ]
    properties = [Property(name="glasshouse:verdict", value=report.decision.verdict.value)]
    properties.extend(
        Property(name="glasshouse:problem", value=str(p)) for p in _inventory_problems(report)
    )
    seed = "\n".join(
        [
            report.started_at,
            report.target,
            report.tool_version,
            *sorted(entries),
            *sorted(f.fingerprint for f in report.findings),
        ]
    )
    bom = Bom(
        serial_number=uuid.uuid5(_NAMESPACE, seed),
        metadata=BomMetaData(
            timestamp=_timestamp(report),
            tools=ToolRepository(
                components=[
                    Component(
                        type=ComponentType.APPLICATION,
                        name="glasshouse",
                        version=report.tool_version,
                    )
                ]
            ),
            component=root,
            lifecycles=[PredefinedLifecycle(LifecyclePhase.PRE_BUILD)],
            properties=properties,
        ),
        components=components.values(),
        vulnerabilities=vulnerabilities,
    )
    if root is not None and direct:
        # Set directly: the library's register_dependency searches the graph linearly.
        bom.dependencies = [
            Dependency(ref=root.bom_ref, dependencies=[Dependency(ref=c.bom_ref) for c in direct])
        ]
    return bom


_LEADING_KEYS = ("serialNumber", "version", "metadata")


def to_dict(report: Report) -> dict[str, Any]:
    bom = build(report)
    # Serialized by the model itself (py-serializable's ``as_json``) rather than through
    # ``JsonV1Dot6``: that outputter first runs ``Bom.validate``, which gives every
    # component an empty dependency entry, a claim of "no dependencies" Glasshouse
    # cannot make (module docstring), and searches the graph once per component
    # (quadratic: 10 s for 5,000 packages). ``build`` sets every bom-ref, unique, and
    # the graph flat, the other two things the outputter ensures; the tests validate
    # the result against the 1.6 schema.
    serialized: str = bom.as_json(view_=SchemaVersion1Dot6)  # type: ignore[attr-defined]
    body: dict[str, Any] = json.loads(serialized)
    doc: dict[str, Any] = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
    }
    for key in _LEADING_KEYS:
        if key in body:
            doc[key] = body.pop(key)
    doc.update(body)
    described = [ROOT_REF] if bom.metadata.component is not None else []
    described += [str(c.bom_ref) for c in bom.components]
    if described:
        incomplete = bool(_inventory_problems(report))
        composition: dict[str, Any] = {"aggregate": "incomplete" if incomplete else "unknown"}
        if bom.metadata.component is not None:
            composition["assemblies"] = [ROOT_REF]
        composition["dependencies"] = described
        doc["compositions"] = [composition]
    return doc


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
