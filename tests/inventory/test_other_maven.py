"""Maven: pom.xml (with parents, properties and management) and Gradle lockfiles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from glasshouse.inventory import gradlelockfile, pomxml
from glasshouse.inventory.base import ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "java"

Row = tuple[str, str | None, str, int | None, bool | None, str | None]


def reader(path: Path, root: Path, log: list[str] | None = None) -> Callable[[str], bytes]:
    """read_relative as the scanner gives it: inside ``root`` only, missing is an error."""

    def read_relative(name: str) -> bytes:
        if log is not None:
            log.append(name)
        target = (path.parent / name).resolve()
        if root.resolve() not in target.parents or not target.is_file():
            raise ParseError("not readable")
        return target.read_bytes()

    return read_relative


def pom(path: Path, root: Path, log: list[str] | None = None) -> list[Package]:
    relative = path.relative_to(root).as_posix()
    return pomxml.parse(Source(relative, path.read_bytes(), reader(path, root, log)))


def rows(packages: list[Package]) -> list[Row]:
    return [
        (p.name, p.version, p.location.path, p.location.line, p.dev, p.requirement)
        for p in packages
    ]


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir / "lockfiles" / "java"


# ---------------------------------------------------------------- pom.xml, shared files


def test_one_package(shared: Path) -> None:
    packages = pom(shared / "pomxml" / "one-package.xml", shared / "pomxml")
    assert rows(packages) == [
        ("org.apache.maven:maven-artifact", "1.0.0", "one-package.xml", 7, False, None)
    ]
    assert (packages[0].ecosystem, packages[0].direct) == ("Maven", True)


def test_two_packages(shared: Path) -> None:
    assert rows(pom(shared / "pomxml" / "two-packages.xml", shared / "pomxml")) == [
        ("io.netty:netty-all", "4.1.42.Final", "two-packages.xml", 7, False, None),
        ("org.slf4j:slf4j-log4j12", "1.7.25", "two-packages.xml", 12, False, None),
    ]


def test_declared_encoding(shared: Path) -> None:
    assert rows(pom(shared / "pomxml" / "encoding.xml", shared / "pomxml")) == [
        ("junit:junit", "4.12", "encoding.xml", 16, False, None)
    ]


def test_interpolation_and_range(shared: Path) -> None:
    assert rows(pom(shared / "pomxml" / "interpolation.xml", shared / "pomxml")) == [
        ("org.mine:mypackage", "1.0.0", "interpolation.xml", 18, False, None),
        ("org.mine:my.package", "2.3.4", "interpolation.xml", 24, False, None),
        (
            "org.mine:ranged-package",
            None,
            "interpolation.xml",
            30,
            False,
            "[9.4.35.v20201120,9.5)",
        ),
    ]


def test_dependency_management(shared: Path) -> None:
    # An explicit version beats the managed one; management alone declares nothing.
    assert rows(pom(shared / "pomxml" / "with-dependency-management.xml", shared / "pomxml")) == [
        ("io.netty:netty-all", "4.1.9", "with-dependency-management.xml", 7, False, None),
        ("org.slf4j:slf4j-log4j12", "1.7.25", "with-dependency-management.xml", 12, False, None),
    ]
    assert [p.name for p in pom(shared / "pomxml" / "transitive.xml", shared / "pomxml")] == [
        "org.direct:alice",
        "org.direct:bob",
        "org.direct:chris",
    ]


def test_parent_by_relative_path(shared: Path) -> None:
    log: list[str] = []
    got = rows(pom(shared / "pomxml" / "with-parent.xml", shared / "pomxml", log))
    assert got == [
        ("org.alice:alice", "1.0.0", "with-parent.xml", 18, False, None),
        ("org.bob:bob", "2.0.0", "with-parent.xml", 23, False, None),
        ("org.chuck:chuck", "3.0.0", "with-parent.xml", 28, False, None),
        ("org.frank:frank", None, "with-parent.xml", 32, False, "*"),
        ("org.dave:dave", "4.0.0", "with-parent.xml", 6, False, None),  # at <parent>
    ]
    # The parent's own parent is looked for at its default place, ../pom.xml from it.
    assert log == ["parent/pom.xml", "pom.xml"]


def test_profiles_and_a_missing_parent(shared: Path) -> None:
    log: list[str] = []
    assert rows(pom(shared / "pomxml" / "profiles.xml", shared / "pomxml", log)) == [
        ("org.profile:profile-dep", "1.2.3", "profiles.xml", 15, False, None)
    ]
    assert log == ["../pom.xml"]


def test_scope(shared: Path) -> None:
    assert rows(pom(shared / "pomxml" / "with-scope.xml", shared / "pomxml")) == [
        ("abc:xyz", "1.2.3", "with-scope.xml", 3, False, None),
        ("junit:junit", "4.12", "with-scope.xml", 9, True, None),
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ambiguous-interpolation.xml", [("com.example:common-lib", "1.0.0", 8)]),
        (
            "explicit-jar.xml",
            [("org.different:my-lib", "1.0.0", 12), ("com.example:my-lib", "1.0.0", 17)],
        ),
        ("interpolate-drop.xml", [("com.example:actual-artifact", "1.0.0", 11)]),
        ("multi-version.xml", [("abc:example.com", "1.0.0", 8), ("abc:example.com", "1.1.1", 13)]),
        ("plugin-dependency.xml", [("com.example:hijack-lib", "1.0.0", 27)]),
        ("with-multiple-classifiers.xml", [("com.example:my-lib", "1.0.0", 8)]),
        ("with-type-classifier.xml", [("abc:xyz", "1.0.0", 3)]),
        ("empty.xml", []),
        ("parent/pom.xml", [("org.dave:dave", "4.0.0", 15)]),
    ],
)
def test_shared_cases(shared: Path, name: str, expected: list[tuple[str, str, int]]) -> None:
    packages = pom(shared / "pomxml" / name, shared / "pomxml")
    assert [(p.name, p.version, p.location.line) for p in packages] == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("invalid-syntax.xml", "invalid XML: not well-formed"),
        ("not-pom.txt", "invalid XML: syntax error at line 1"),
    ],
)
def test_shared_malformed(shared: Path, name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        pom(shared / "pomxml" / name, shared / "pomxml")


# ---------------------------------------------------------------- pom.xml, own cases


def test_nested_and_unresolvable_properties() -> None:
    root = DATA / "pomxml"
    assert rows(pom(root / "nested-and-unresolvable-properties.xml", root)) == [
        (
            "com.fasterxml.jackson.core:jackson-databind",
            "2.15.1",
            "nested-and-unresolvable-properties.xml",
            17,
            False,
            None,
        ),
        (
            "com.example:props-core",
            "3.1.0",
            "nested-and-unresolvable-properties.xml",
            22,
            False,
            None,
        ),
        # Never guessed: reported unpinned with the text as written.
        (
            "org.example:cyclic",
            None,
            "nested-and-unresolvable-properties.xml",
            27,
            False,
            "${cycle.a}",
        ),
        (
            "org.example:from-env",
            None,
            "nested-and-unresolvable-properties.xml",
            32,
            False,
            "${env.LIB_VERSION}",
        ),
        (
            "org.example.libs:${undefined.artifact}",
            "1.0",
            "nested-and-unresolvable-properties.xml",
            37,
            False,
            None,
        ),
        (
            "org.example:no-version-anywhere",
            None,
            "nested-and-unresolvable-properties.xml",
            42,
            False,
            "*",
        ),
    ]


def test_property_expansion_bomb_is_not_expanded() -> None:
    root = DATA / "pomxml"
    got = [
        (p.name, p.version, p.requirement) for p in pom(root / "property-expansion-bomb.xml", root)
    ]
    assert got == [
        ("org.example:exploding", None, "${p40}"),
        ("org.example:small", "x" * 64, None),
    ]


def test_exact_versions_and_ranges() -> None:
    root = DATA / "pomxml"
    got = [
        (p.name, p.version, p.requirement)
        for p in pom(root / "exact-versions-and-ranges.xml", root)
    ]
    assert got == [
        ("org.example:exact", "1.2.3", None),
        ("org.example:range", None, "[1.0,2.0)"),
        ("org.example:upper-bound", None, "(,1.0]"),
        ("org.example:union", None, "(,1.0],[1.2,)"),
        ("org.example:latest", None, "LATEST"),
        ("org.example:spaced", "4.5.6", None),
        ("org.example:snapshot", "1.0-SNAPSHOT", None),
    ]


def test_latin1_declared_encoding() -> None:
    root = DATA / "pomxml"
    assert rows(pom(root / "latin1-declared-encoding.xml", root)) == [
        (
            "org.apache.commons:commons-lang3",
            "3.14.0",
            "latin1-declared-encoding.xml",
            10,
            False,
            None,
        )
    ]


def test_profiles_fill_gaps_and_plugins_are_not_read() -> None:
    root = DATA / "pomxml"
    got = rows(pom(root / "profiles-properties-fill-gaps.xml", root))
    assert got == [
        # The main property wins over the profile's.
        (
            "com.google.guava:guava",
            "32.1.3-jre",
            "profiles-properties-fill-gaps.xml",
            7,
            False,
            None,
        ),
        (
            "io.netty:netty-handler",
            "4.1.100.Final",
            "profiles-properties-fill-gaps.xml",
            21,
            False,
            None,
        ),
        ("org.slf4j:slf4j-api", "2.0.9", "profiles-properties-fill-gaps.xml", 26, True, None),
    ]


def test_parent_chain_inherits_properties_management_and_dependencies() -> None:
    root = DATA / "pomxml"
    got = rows(pom(root / "parent-chain" / "app" / "pom.xml", root))
    assert got == [
        # Managed in the parent with ${spring.version}, which the child overrides.
        ("org.springframework:spring-core", "6.1.2", "parent-chain/app/pom.xml", 14, False, None),
        # Managed version and test scope.
        ("org.junit.jupiter:junit-jupiter", "5.10.1", "parent-chain/app/pom.xml", 18, True, None),
        # project.groupId and project.version come from <parent>.
        ("com.example:example-model", "2.4.0", "parent-chain/app/pom.xml", 22, False, None),
        ("com.google.guava:guava", "32.1.3-jre", "parent-chain/app/pom.xml", 27, False, None),
        # Inherited, located at <parent>; the parent's guava 31.0-jre is overridden.
        ("org.slf4j:slf4j-api", "2.0.9", "parent-chain/app/pom.xml", 4, False, None),
    ]


def test_parent_that_is_not_the_declared_one_is_ignored() -> None:
    root = DATA / "pomxml"
    assert rows(pom(root / "parent-mismatch" / "app" / "pom.xml", root)) == [
        ("org.example:lib", None, "parent-mismatch/app/pom.xml", 10, False, "${lib.version}")
    ]


def test_parent_cycle_terminates() -> None:
    root = DATA / "pomxml"
    log: list[str] = []
    got = rows(pom(root / "parent-cycle" / "a" / "pom.xml", root, log))
    assert got == [
        ("org.example:from-a", "1.0.0", "parent-cycle/a/pom.xml", 10, False, None),
        ("org.example:from-b", "2.0.0", "parent-cycle/a/pom.xml", 2, False, None),
    ]
    assert log == ["../b/pom.xml"]


def test_no_reader_means_no_parent() -> None:
    path = DATA / "pomxml" / "parent-chain" / "app" / "pom.xml"
    packages = pomxml.parse(Source("pom.xml", path.read_bytes()))
    assert [(p.name, p.version, p.requirement) for p in packages] == [
        ("org.springframework:spring-core", None, "*"),
        ("org.junit.jupiter:junit-jupiter", None, "*"),
        ("com.example:example-model", "2.4.0", None),
        ("com.google.guava:guava", "32.1.3-jre", None),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billion-laughs.xml", "document type and entity declarations are not allowed"),
        ("xxe-external-entity.xml", "document type and entity declarations are not allowed"),
        ("xxe-parameter-entity.xml", "document type and entity declarations are not allowed"),
        ("external-dtd.xml", "document type and entity declarations are not allowed"),
        ("undefined-entity.xml", "undefined entity"),
        ("latin1-undeclared.xml", "not well-formed"),
        ("not-a-project.xml", "root element is <settings>"),
        ("truncated.xml", "invalid XML"),
    ],
)
def test_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        pom(DATA / "pomxml" / name, DATA / "pomxml")


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"<?xml version='1.0' encoding='x-no-such-encoding'?><project/>", b"\x00\x01"],
)
def test_xml_edge_inputs(data: bytes) -> None:
    with pytest.raises(ParseError):
        pomxml.parse(Source("pom.xml", data))


def test_deep_xml_nesting() -> None:
    depth = 50_000
    data = b"<project>" + b"<a>" * depth + b"</a>" * depth + b"</project>"
    assert pomxml.parse(Source("pom.xml", data)) == []


def test_deep_property_chain() -> None:
    properties = "".join(f"<p{i}>${{p{i + 1}}}</p{i}>" for i in range(5000))
    data = (
        f"<project><properties>{properties}<p5000>1.0</p5000></properties><dependencies>"
        "<dependency><groupId>g</groupId><artifactId>a</artifactId><version>${p0}</version>"
        "</dependency></dependencies></project>"
    ).encode()
    (package,) = pomxml.parse(Source("pom.xml", data))
    assert (package.version, package.requirement) == (None, "${p0}")


# ---------------------------------------------------------------- Gradle lockfiles


def lockfile(path: Path) -> list[Package]:
    return gradlelockfile.parse(Source("gradle.lockfile", path.read_bytes()))


def test_gradle_five_packages(shared: Path) -> None:
    packages = lockfile(shared / "gradlelockfile" / "5-pkg")
    assert [(p.name, p.version, p.location.line, p.dev) for p in packages] == [
        ("org.springframework.boot:spring-boot-autoconfigure", "2.7.4", 5, False),
        ("org.springframework.boot:spring-boot-configuration-processor", "2.7.5", 6, False),
        ("org.springframework.boot:spring-boot-devtools", "2.7.6", 7, False),
        ("org.springframework.boot:spring-boot-starter-aop", "2.7.7", 8, False),
        ("org.springframework.boot:spring-boot-starter-data-jpa", "2.7.8", 9, False),
    ]
    assert {(p.ecosystem, p.direct, p.requirement) for p in packages} == {("Maven", None, None)}


def test_gradle_one_package(shared: Path) -> None:
    assert [
        (p.name, p.version, p.location.line)
        for p in lockfile(shared / "gradlelockfile" / "one-pkg")
    ] == [("org.springframework.security:spring-security-crypto", "5.7.3", 4)]


@pytest.mark.parametrize("name", ["only-comments", "only-empty"])
def test_gradle_nothing_locked(shared: Path, name: str) -> None:
    assert lockfile(shared / "gradlelockfile" / name) == []


def test_gradle_bad_lines_are_skipped(shared: Path) -> None:
    assert [
        (p.name, p.version, p.location.line)
        for p in lockfile(shared / "gradlelockfile" / "with-bad-pkg")
    ] == [
        ("org.springframework.boot:spring-boot-autoconfigure", "2.7.4", 7),
        ("org.springframework.boot:spring-boot-configuration-processor", "2.7.5", 14),
    ]


def test_gradle_test_only_configurations_are_dev() -> None:
    got = [
        (p.name, p.version, p.dev)
        for p in lockfile(DATA / "gradlelockfile" / "test-only-configurations.lockfile")
    ]
    assert got == [
        ("com.fasterxml.jackson.core:jackson-databind", "2.16.0", False),
        ("junit:junit", "4.13.2", True),
        ("org.assertj:assertj-core", "3.24.2", True),
        ("org.hamcrest:hamcrest-core", "1.3", False),
        ("org.projectlombok:lombok", "1.18.30", None),
    ]


def test_gradle_missing_version_duplicates_and_conflict_markers() -> None:
    got = [
        (p.name, p.version, p.location.line, p.requirement)
        for p in lockfile(DATA / "gradlelockfile" / "missing-version-and-duplicates.lockfile")
    ]
    assert got == [
        ("org.example:no-version", None, 2, "*"),
        ("org.example:lib", "1.0.0", 3, None),
        ("org.example:lib", "1.1.0", 5, None),
        ("org.example:merged", "2.0.0", 7, None),
        ("org.example:merged", "2.1.0", 9, None),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-a-lockfile.lockfile", "not a Gradle lockfile"),
        ("not-utf8.lockfile", "not valid UTF-8"),
    ],
)
def test_gradle_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        lockfile(DATA / "gradlelockfile" / name)


def test_gradle_empty_file() -> None:
    assert gradlelockfile.parse(Source("gradle.lockfile", b"")) == []
