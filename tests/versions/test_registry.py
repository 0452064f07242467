"""The registry table: every scheme module is registered and every ecosystem resolves."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

import glasshouse.versions
from glasshouse.versions import alpine, debian, maven, nuget, packagist, pypi, rubygems, semver
from glasshouse.versions.base import InvalidVersion, VersionScheme
from glasshouse.versions.registry import (
    SCHEMES,
    SEMVER,
    UnsupportedEcosystem,
    scheme_for,
    supported_ecosystems,
)

NOT_SCHEMES = {"base", "registry"}


def scheme_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(glasshouse.versions.__path__)
        if info.name not in NOT_SCHEMES and not info.name.startswith("_")
    )


def test_every_scheme_module_is_registered() -> None:
    modules = scheme_modules()
    assert len(modules) >= 8
    for name in modules:
        module = importlib.import_module(f"glasshouse.versions.{name}")
        assert hasattr(module, "SCHEME"), f"versions/{name}.py exposes no SCHEME"
        assert module.SCHEME in SCHEMES, f"versions/{name}.py is missing from SCHEMES"
    assert len(SCHEMES) == len(modules), "SCHEMES lists something that is no scheme module"


def test_schemes_are_distinct_and_named() -> None:
    names = [scheme.name for scheme in SCHEMES]
    assert len(set(names)) == len(names)
    assert all(isinstance(name, str) and name for name in names)
    assert {scheme_for(name) for name in supported_ecosystems()} == set(SCHEMES)


@pytest.mark.parametrize(
    ("ecosystem", "module"),
    [
        ("PyPI", pypi),
        ("npm", semver),
        ("Go", semver),
        ("crates.io", semver),
        ("Maven", maven),
        ("RubyGems", rubygems),
        ("Packagist", packagist),
        ("NuGet", nuget),
        ("Debian", debian),
        ("Debian:12", debian),
        ("Debian:13", debian),
        ("Ubuntu:22.04:LTS", debian),
        ("Alpine", alpine),
        ("Alpine:v3.19", alpine),
        ("Wolfi", alpine),
        ("pypi", pypi),  # as lockfiles and purls spell it
        ("MAVEN", maven),
    ],
)
def test_scheme_for(ecosystem: str, module: ModuleType) -> None:
    assert scheme_for(ecosystem) is module.SCHEME


def test_semver_constant_is_the_semver_scheme() -> None:
    assert SEMVER is semver.SCHEME


@pytest.mark.parametrize(
    "ecosystem", ["", "CRAN", "Pub", "Hackage", "Red Hat", "GIT", "Debian-ish"]
)
def test_unknown_ecosystems_raise_a_key_error(ecosystem: str) -> None:
    with pytest.raises(UnsupportedEcosystem) as caught:
        scheme_for(ecosystem)
    assert isinstance(caught.value, KeyError)


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.name)
def test_every_scheme_refuses_garbage_and_orders_a_release(scheme: VersionScheme) -> None:
    for garbage in ("", "   ", "not a version", "1.0 and more"):
        with pytest.raises(InvalidVersion):
            scheme.parse(garbage)
    assert scheme.parse("1.0.0") < scheme.parse("2.0.0")
    assert scheme.parse("1.0.0") == scheme.parse("1.0.0")


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.name)
@pytest.mark.parametrize(
    "text",
    ["1²", "٣.1", "1.0\u200b", "İ", "1.0\x00", "\t", "-", ".", "+", "~", "1" * 200, "1" * 5000],
    ids=lambda text: repr(text[:12]),
)
def test_odd_text_parses_or_raises_invalid_version_only(scheme: VersionScheme, text: str) -> None:
    # callers catch InvalidVersion to report a version; anything else would crash a scan
    # (5000 digits would make int() raise ValueError)
    try:
        key = scheme.parse(text)
    except InvalidVersion:
        return
    assert key == scheme.parse(text)
