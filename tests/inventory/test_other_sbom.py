"""SBOMs: CycloneDX 1.x JSON and SPDX 2.x JSON, read through purls."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory import cyclonedx, spdx
from glasshouse.inventory._purl import purl_package
from glasshouse.inventory.base import ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "sbom"

Row = tuple[str, str, str | None, int | None, bool | None, bool | None, str | None]


def rows(packages: list[Package]) -> list[Row]:
    return [
        (p.ecosystem, p.name, p.version, p.location.line, p.direct, p.dev, p.requirement)
        for p in packages
    ]


def bom(name: str) -> list[Package]:
    path = DATA / "cyclonedx" / name
    return cyclonedx.parse(Source(f"sbom/{name}", path.read_bytes()))


def spdx_doc(name: str) -> list[Package]:
    path = DATA / "spdx" / name
    return spdx.parse(Source(f"sbom/{name}", path.read_bytes()))


def test_cyclonedx_1_5() -> None:
    packages = bom("cyclonedx-1.5-mixed-ecosystems.cdx.json")
    assert rows(packages) == [
        ("npm", "@angular/core", "16.2.12", 23, True, None, None),
        ("npm", "lodash", "4.17.20", 30, True, None, None),
        # Nested under lodash; lodash depends on it, the application does not.
        ("PyPI", "django", "4.2.7", 37, False, None, None),
        ("Go", "github.com/gin-gonic/gin", "v1.9.1", 46, False, None, None),
        ("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", 55, True, None, None),
        ("Maven", "junit:junit", "4.13.2", 64, False, True, None),  # scope: excluded
        # No version in the purl: the component's version field.
        ("crates.io", "serde", "1.0.193", 70, False, None, None),
        ("RubyGems", "rails", "7.1.2", 78, False, None, None),
        ("Packagist", "laravel/framework", "10.35.0", 86, False, None, None),
        ("NuGet", "Newtonsoft.Json", "13.0.1", 93, False, None, None),
        # pkg:generic, no purl and a malformed purl are skipped; no version at all
        # is reported unpinned; the second lodash is the same package.
        ("npm", "left-pad", None, 118, False, None, "*"),
    ]
    assert {p.location.path for p in packages} == {"sbom/cyclonedx-1.5-mixed-ecosystems.cdx.json"}


def test_cyclonedx_without_components() -> None:
    # metadata.component is the subject described, not a dependency.
    assert bom("no-components.cdx.json") == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no-bom-format.cdx.json", "not a CycloneDX JSON BOM"),
        ("components-not-an-array.cdx.json", "components is not a JSON array"),
        ("purl-not-a-string.cdx.json", r"components\[0\]: 'purl' is not a string"),
    ],
)
def test_cyclonedx_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        bom(name)


def test_cyclonedx_deeply_nested_components() -> None:
    depth = 200
    inner = '{"purl": "pkg:npm/leaf@1.0.0"}'
    for _ in range(depth):
        inner = '{"purl": "pkg:npm/node@1.0.0", "components": [' + inner + "]}"
    text = '{"bomFormat": "CycloneDX", "components": [' + inner + "]}"
    packages = cyclonedx.parse(Source("bom.json", text.encode()))
    assert [(p.name, p.version) for p in packages] == [("node", "1.0.0"), ("leaf", "1.0.0")]
    too_deep = b'{"bomFormat": "CycloneDX", "components": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(ParseError, match="nested too deeply"):
        cyclonedx.parse(Source("bom.json", too_deep))


def test_cyclonedx_without_dependency_graph_directness_is_unknown() -> None:
    text = b'{"bomFormat": "CycloneDX", "components": [{"purl": "pkg:cargo/rand@0.8.5"}]}'
    (package,) = cyclonedx.parse(Source("bom.json", text))
    assert (package.ecosystem, package.name, package.version) == ("crates.io", "rand", "0.8.5")
    assert (package.direct, package.dev, package.location.line) == (None, None, 1)


@pytest.mark.parametrize(
    ("purl", "expected"),
    [
        ("pkg:npm/%40babel/core@7.23.0", ("npm", "@babel/core", "7.23.0")),
        ("pkg:npm/babel/core@7.23.0", ("npm", "@babel/core", "7.23.0")),
        ("pkg:pypi/Flask_Login@0.6.3", ("PyPI", "flask-login", "0.6.3")),
        ("pkg:golang/golang.org/x/net@v0.17.0#html", ("Go", "golang.org/x/net", "v0.17.0")),
        ("pkg:golang/stdlib@1.21.3", ("Go", "stdlib", "1.21.3")),
        ("pkg:maven/org.yaml/snakeyaml@1.33?type=jar", ("Maven", "org.yaml:snakeyaml", "1.33")),
        ("pkg:composer/symfony/yaml@v6.3.0", ("Packagist", "symfony/yaml", "6.3.0")),
        ("pkg:gem/nokogiri@1.15.4?platform=java", ("RubyGems", "nokogiri", "1.15.4")),
        ("pkg:nuget/Serilog@3.1.1", ("NuGet", "Serilog", "3.1.1")),
        ("pkg:cargo/rand", ("crates.io", "rand", None)),
        ("pkg:maven/snakeyaml@1.33", None),  # an artifact without its group
        ("pkg:deb/debian/openssl@3.0.11-1", None),
        ("pkg:npm/a@1?x", None),  # malformed qualifiers
        ("pkg:", None),
        ("", None),
    ],
)
def test_purl_mapping(purl: str, expected: tuple[str, str, str | None] | None) -> None:
    assert purl_package(purl, None) == expected


def test_spdx_2_3() -> None:
    packages = spdx_doc("spdx-2.3-mixed-ecosystems.spdx.json")
    assert rows(packages) == [
        ("PyPI", "requests", "2.31.0", 15, None, None, None),
        # No version in the purl: versionInfo.
        ("PyPI", "urllib3", "1.26.5", 33, None, None, None),
        ("Go", "github.com/gorilla/websocket", "v1.5.0", 46, None, None, None),
        # The first purl of a type Glasshouse maps.
        ("npm", "express", "4.18.2", 59, None, None, None),
        # no-refs and the Alpine package (not a mapped purl type) are skipped.
    ]
    assert {p.location.path for p in packages} == {"sbom/spdx-2.3-mixed-ecosystems.spdx.json"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no-spdx-version.spdx.json", "not an SPDX 2.x JSON document"),
        ("external-refs-not-an-array.spdx.json", r"packages\[0\].externalRefs is not a JSON array"),
        ("spdx-tag-value-not-json.spdx.json", "invalid JSON"),
    ],
)
def test_spdx_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        spdx_doc(name)


@pytest.mark.parametrize(
    "text",
    [
        b'{"spdxVersion": "SPDX-2.3", "packages": "x"}',
        b'{"spdxVersion": "SPDX-2.3", "packages": [1]}',
        b'{"spdxVersion": "SPDX-2.3", "packages": [{"externalRefs": [1]}]}',
        b'{"spdxVersion": "SPDX-2.3", "packages": [{"versionInfo": 2}]}',
        b'{"spdxVersion": 2.3}',
        b"[]",
    ],
)
def test_spdx_wrong_types(text: bytes) -> None:
    with pytest.raises(ParseError):
        spdx.parse(Source("x.spdx.json", text))


def test_spdx_without_packages() -> None:
    assert spdx.parse(Source("x.spdx.json", b'{"spdxVersion": "SPDX-2.2"}')) == []
