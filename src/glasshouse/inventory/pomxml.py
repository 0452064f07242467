"""Maven's ``pom.xml`` (Java, Maven): the declared (direct) dependencies.

What is read, and how:

- ``<dependencies>`` of the project and of every profile. Which profiles are active is
  decided at build time, so all are read: a gate should see what any build may ship.
  Profile ``<properties>`` and ``<dependencyManagement>`` only fill gaps the main model
  leaves (they never override it). Build plugin dependencies are build tools, not read.
- Inheritance: the parent named by ``<parent>`` is read from ``<relativePath>`` (default
  ``../pom.xml``; an empty ``<relativePath/>`` means "from the repository", which is not
  read) through ``Source.read_relative``, and used only if it is the declared parent (same
  groupId and artifactId), as Maven does. Its properties, dependency management and
  dependencies are inherited; the child wins on conflicts. A missing, unreadable or
  mismatching parent ends the chain and is not an error: what cannot be resolved is
  reported unpinned. Every package is located in the POM parsed (the parent is
  scanned as a file of its own); inherited ones at the line of its ``<parent>``.
- Interpolation of ``${...}`` after inheritance, as Maven does: ``project.version``,
  ``project.groupId``, ``project.artifactId``, ``project.parent.*`` (and their ``pom.*``
  aliases) and ``<properties>``, nested and with cycles detected. Anything else
  (``env.*``, settings, imported BOMs) is unknown here: such a version is reported with
  ``version=None`` and the text as written as its requirement, never guessed.
- A dependency without a version takes the one of its ``<dependencyManagement>`` entry
  (and its scope, if it has none); without either it is unpinned (requirement ``*``).
- Versions: ``1.2`` is a pin (Maven's soft requirement, the version used unless a
  conflict elsewhere says otherwise); ``[1.2]`` is an exact pin; ranges (``[1.0,2.0)``)
  and anything else with brackets or commas are unpinned, with the range as requirement.
- ``<scope>test</scope>`` is dev; every dependency read here is direct.
- A dependency without groupId or artifactId names nothing and is skipped (Maven
  rejects such a POM).

XML is parsed with the safe reader of ``_xml`` (expat, no document type declaration:
no external entities, no entity expansion).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from glasshouse.ecosystems import MAVEN
from glasshouse.inventory._xml import XmlElement, parse_xml
from glasshouse.inventory.base import Extractor, ParseError, Source
from glasshouse.model.package import Location, Package

_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_EXACT = re.compile(r"\[\s*([^\s,\[\]()]+)\s*\]")
_MAX_VALUE = 4096  # longer interpolated values are treated as unresolvable
_MAX_DEPTH = 64  # property references nested deeper are unresolvable
_MAX_PARENTS = 16


def _matches(basename: str, path: str) -> bool:
    return basename == "pom.xml"


@dataclass(frozen=True, slots=True)
class _Dep:
    group: str | None
    artifact: str | None
    version: str | None
    scope: str | None
    kind: str
    classifier: str
    line: int


@dataclass(frozen=True, slots=True)
class _ParentRef:
    group: str | None
    artifact: str | None
    version: str | None
    relative_path: str | None  # None: the default, "": none
    line: int


@dataclass(slots=True)
class _Model:
    group: str | None
    artifact: str | None
    version: str | None
    parent: _ParentRef | None
    properties: dict[str, str]
    profile_properties: dict[str, str]
    managed: list[_Dep]
    profile_managed: list[_Dep]
    deps: list[_Dep]


def _deps(elements: list[XmlElement]) -> list[_Dep]:
    return [
        _Dep(
            group=e.child_text("groupId"),
            artifact=e.child_text("artifactId"),
            version=e.child_text("version"),
            scope=e.child_text("scope"),
            kind=e.child_text("type") or "jar",
            classifier=e.child_text("classifier") or "",
            line=e.line,
        )
        for e in elements
    ]


def _properties(elements: list[XmlElement]) -> dict[str, str]:
    return {p.tag: p.text.strip() for element in elements for p in element.children}


def _read_model(root: XmlElement) -> _Model:
    if root.tag != "project":
        raise ParseError(f"not a POM: the root element is <{root.tag[:40]}>, not <project>")
    parent = None
    parent_element = root.child("parent")
    if parent_element is not None:
        relative = parent_element.child("relativePath")
        parent = _ParentRef(
            group=parent_element.child_text("groupId"),
            artifact=parent_element.child_text("artifactId"),
            version=parent_element.child_text("version"),
            relative_path=None if relative is None else relative.text.strip(),
            line=parent_element.line,
        )
    profiles = root.all("profiles", "profile")
    return _Model(
        group=root.child_text("groupId"),
        artifact=root.child_text("artifactId"),
        version=root.child_text("version"),
        parent=parent,
        properties=_properties(root.all("properties")),
        profile_properties=_properties([p for e in profiles for p in e.all("properties")]),
        managed=_deps(root.all("dependencyManagement", "dependencies", "dependency")),
        profile_managed=_deps(
            [
                m
                for p in profiles
                for m in p.all("dependencyManagement", "dependencies", "dependency")
            ]
        ),
        deps=_deps(
            root.all("dependencies", "dependency")
            + [d for p in profiles for d in p.all("dependencies", "dependency")]
        ),
    )


class _Interpolator:
    """Resolves ``${name}`` references; None when any is unknown, cyclic or too large."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values
        self._memo: dict[str, str | None] = {}
        self._active: list[str] = []

    def resolve(self, text: str) -> str | None:
        if "${" not in text:
            return text
        parts: list[str] = []
        size = 0
        last = 0
        for match in _REFERENCE.finditer(text):
            value = self._lookup(match.group(1).strip())
            if value is None:
                return None
            literal = text[last : match.start()]
            size += len(literal) + len(value)
            if size > _MAX_VALUE:
                return None
            parts += (literal, value)
            last = match.end()
        parts.append(text[last:])
        result = "".join(parts)
        if "${" in result or len(result) > _MAX_VALUE:
            return None
        return result

    def _lookup(self, name: str) -> str | None:
        if name in self._memo:
            return self._memo[name]
        raw = self._values.get(name)
        if raw is None or name in self._active or len(self._active) >= _MAX_DEPTH:
            return None  # unknown, a cycle, or absurdly deep (not memoized: may resolve later)
        self._active.append(name)
        try:
            value = self.resolve(raw)
        finally:
            self._active.pop()
        self._memo[name] = value
        return value


def _builtins(model: _Model) -> dict[str, str]:
    parent = model.parent
    known = {
        "groupId": model.group or (parent.group if parent else None),
        "artifactId": model.artifact,
        "version": model.version or (parent.version if parent else None),
        "parent.groupId": parent.group if parent else None,
        "parent.artifactId": parent.artifact if parent else None,
        "parent.version": parent.version if parent else None,
    }
    values: dict[str, str] = {}
    for key, value in known.items():
        if value is not None:
            values[f"project.{key}"] = value
            values[f"pom.{key}"] = value
    return values


def _is_declared_parent(model: _Model, ref: _ParentRef) -> bool:
    if ref.artifact is not None and model.artifact != ref.artifact:
        return False
    group = model.group or (model.parent.group if model.parent else None)
    return ref.group is None or group is None or group == ref.group


def _chain(source: Source, child: _Model) -> list[_Model]:
    """The child, then each parent found through relativePath, nearest first."""
    chain = [child]
    directory = posixpath.dirname(source.path)
    here = ""  # the current POM's directory, relative to the child's
    visited = {posixpath.normpath(source.path)}  # relative to the scan root
    current = child
    while current.parent is not None and len(chain) <= _MAX_PARENTS:
        relative = current.parent.relative_path
        if relative == "" or source.read_relative is None:
            break
        relative = (relative or "../pom.xml").replace("\\", "/")
        if not relative.endswith(".xml"):
            relative = relative.rstrip("/") + "/pom.xml"
        name = posixpath.normpath(posixpath.join(here, relative))
        path = posixpath.normpath(posixpath.join(directory, name))
        if path in visited:
            break
        visited.add(path)
        try:
            model = _read_model(parse_xml(source.read_relative(name)))
        except ParseError:
            break  # missing or broken parent: resolve what the child alone allows
        if not _is_declared_parent(model, current.parent):
            break
        chain.append(model)
        current = model
        here = posixpath.dirname(name)
    return chain


def _classify(raw: str | None, interpolator: _Interpolator) -> tuple[str | None, str | None]:
    """(version, requirement) of a version as written."""
    if raw is None:
        return None, "*"
    resolved = interpolator.resolve(raw)
    if resolved is None:
        return None, raw
    resolved = resolved.strip()
    if not resolved:
        return None, "*"
    if resolved[0] in "[(":
        exact = _EXACT.fullmatch(resolved)
        return (exact.group(1), None) if exact else (None, resolved)
    if re.search(r"[\s,\[\]()]", resolved) or resolved in ("LATEST", "RELEASE"):
        return None, resolved
    return resolved, None


def parse(source: Source) -> list[Package]:
    child = _read_model(parse_xml(source.data))
    chain = _chain(source, child)

    values: dict[str, str] = {}
    for model in reversed(chain):  # farthest ancestor first: the child overrides
        values.update(model.properties)
    for model in chain:
        for key, value in model.profile_properties.items():
            values.setdefault(key, value)
    values.update(_builtins(child))
    interpolator = _Interpolator(values)

    def coordinates(dep: _Dep) -> tuple[str, str] | None:
        if dep.group is None or dep.artifact is None:
            return None
        group = interpolator.resolve(dep.group) or dep.group
        artifact = interpolator.resolve(dep.artifact) or dep.artifact
        return group, artifact

    managed: dict[tuple[str, str], _Dep] = {}
    for model in chain:  # nearest first: the child's management wins
        for dep in model.managed:
            coords = coordinates(dep)
            if coords is not None:
                managed.setdefault(coords, dep)
    for model in chain:
        for dep in model.profile_managed:
            coords = coordinates(dep)
            if coords is not None:
                managed.setdefault(coords, dep)

    # The child's declarations, then each ancestor's whose (groupId, artifactId, type,
    # classifier) no nearer POM declares: inheritance overrides, a file's own do not.
    # Inherited ones are located at the child's <parent>, the line that brings them in.
    inherited_line = child.parent.line if child.parent is not None else None
    declared: list[tuple[_Dep, tuple[str, str], int | None]] = []
    nearer: set[tuple[str, str, str, str]] = set()
    for model in chain:
        here: set[tuple[str, str, str, str]] = set()
        for dep in model.deps:
            coords = coordinates(dep)
            if coords is None:
                continue
            slot = (*coords, dep.kind, dep.classifier)
            if slot not in nearer:
                declared.append((dep, coords, dep.line if model is child else inherited_line))
                here.add(slot)
        nearer |= here

    packages: list[Package] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for dep, (group, artifact), line in declared:
        version_text, scope_text = dep.version, dep.scope
        management = managed.get((group, artifact))
        if management is not None:
            version_text = version_text or management.version
            scope_text = scope_text or management.scope
        version, requirement = _classify(version_text, interpolator)
        scope = interpolator.resolve(scope_text) if scope_text else None
        name = f"{group}:{artifact}"
        identity = (name, version, requirement)
        if identity in seen:
            continue
        seen.add(identity)
        packages.append(
            Package(
                name=name,
                version=version,
                ecosystem=MAVEN,
                location=Location(source.path, line),
                direct=True,
                dev=(scope or "").strip() == "test",
                requirement=requirement,
            )
        )
    return packages


EXTRACTOR = Extractor(name="pomxml", ecosystem=MAVEN, matches=_matches, parse=parse)
