"""purls agree with packageurl-python's own PackageURL for every ecosystem we read."""

from __future__ import annotations

import pytest
from packageurl import PackageURL

from glasshouse.model import Location, Package
from glasshouse.report.purl import purl

CASES = [
    ("PyPI", "Django_REST.framework", "3.14.0", "pkg:pypi/django-rest.framework@3.14.0"),
    ("npm", "@babel/core", "7.24.0", "pkg:npm/%40babel/core@7.24.0"),
    ("npm", "lodash", None, "pkg:npm/lodash"),
    ("Go", "golang.org/x/net", "v0.17.0", "pkg:golang/golang.org/x/net@v0.17.0"),
    ("crates.io", "serde", "1.0.0", "pkg:cargo/serde@1.0.0"),
    (
        "Maven",
        "org.apache.logging.log4j:log4j-core",
        "2.14.1",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
    ),
    ("RubyGems", "nokogiri", "1.15.4", "pkg:gem/nokogiri@1.15.4"),
    ("Packagist", "symfony/http-kernel", "5.4.0", "pkg:composer/symfony/http-kernel@5.4.0"),
    ("NuGet", "Newtonsoft.Json", "13.0.1", "pkg:nuget/Newtonsoft.Json@13.0.1"),
    ("PyPI", "weird name", "1.0+local.1", None),
]


@pytest.mark.parametrize(("ecosystem", "name", "version", "expected"), CASES)
def test_purl_matches_the_library(
    ecosystem: str, name: str, version: str | None, expected: str | None
) -> None:
    got = purl(Package(name, version, ecosystem, Location("x")))
    assert got is not None
    parsed = PackageURL.from_string(got)
    assert parsed.to_string() == got  # canonical as the library writes it
    if expected is not None:
        assert got == expected


def test_unknown_ecosystem_has_no_purl() -> None:
    assert purl(Package("x", "1", "Nowhere", Location("x"))) is None


NAMES = [
    "Flask",
    "zope.interface",
    "My_Pkg",
    "@Scope/Name",
    "@types/node",
    "left-pad",
    "UPPER",
    "github.com/Azure/azure-sdk-for-go",
    "gopkg.in/yaml.v3",
    "Symfony/Console",
    "org.Apache:Commons-Lang3",
    "naïve",
    "a b",
    "x+y",
    "tilde~ok",
    "weird:colon",
    "emoji-🙂",
]
VERSIONS = [None, "1.0", "1.0.0-RC1", "v2.0.0+incompatible", "1.0+local", "1:2.3-4", "2.0 beta"]
ECOSYSTEMS = [
    "PyPI",
    "npm",
    "Go",
    "crates.io",
    "Maven",
    "RubyGems",
    "Packagist",
    "NuGet",
    "Debian",
    "Alpine",
]


@pytest.mark.parametrize("ecosystem", ECOSYSTEMS)
def test_fast_path_agrees_with_the_library_everywhere(ecosystem: str) -> None:
    for name in NAMES:
        for version in VERSIONS:
            got = purl(Package(name, version, ecosystem, Location("x")))
            assert got is not None
            kind = got.removeprefix("pkg:").partition("/")[0]
            namespace, name_part = None, name
            if kind == "maven" and ":" in name:
                namespace, name_part = name.split(":", 1)
            elif kind in ("npm", "golang", "composer") and "/" in name:
                namespace, name_part = name.rsplit("/", 1)
            if kind == "pypi":
                name_part = name_part.lower().replace("_", "-")
            expected = PackageURL(
                type=kind, namespace=namespace, name=name_part, version=version
            ).to_string()
            assert got == expected, (ecosystem, name, version)
