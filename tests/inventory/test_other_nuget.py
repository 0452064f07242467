"""NuGet: packages.lock.json and packages.config."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory import packagesconfig, packageslockjson
from glasshouse.inventory.base import ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "dotnet"

Row = tuple[str, str | None, int | None, bool | None, bool | None, str | None]


def rows(packages: list[Package]) -> list[Row]:
    return [(p.name, p.version, p.location.line, p.direct, p.dev, p.requirement) for p in packages]


def lock(path: Path) -> list[Package]:
    return packageslockjson.parse(Source("src/App/packages.lock.json", path.read_bytes()))


def config(path: Path) -> list[Package]:
    return packagesconfig.parse(Source("src/App/packages.config", path.read_bytes()))


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir / "lockfiles" / "dotnet"


def test_lock_valid(shared: Path) -> None:
    packages = lock(shared / "packageslockjson" / "valid" / "packages.lock.json")
    assert rows(packages) == [
        ("Core.Dep", "1.24.0", 5, True, None, None),
        ("Some.Dep.One", "1.1.1", 20, False, None, None),
        ("Some.Dep.Two", "4.6.0", 25, False, None, None),
        ("Some.Dep.Three", "1.0.2", 30, False, None, None),
        ("Some.Dep.Four", "4.5.0", 39, False, None, None),
        ("Some.Longer.Name.Dep", "4.7.2", 44, False, None, None),
        ("Some.Dep.Five", "4.7.2", 49, False, None, None),
        ("Another.Longer.Name.Dep", "4.5.4", 54, False, None, None),
    ]
    assert {(p.ecosystem, p.location.path) for p in packages} == {
        ("NuGet", "src/App/packages.lock.json")
    }


def test_lock_invalid(shared: Path) -> None:
    with pytest.raises(ParseError, match="invalid JSON"):
        lock(shared / "packageslockjson" / "invalid" / "invalid")


def test_lock_frameworks_projects_and_central_pins() -> None:
    assert rows(lock(DATA / "packageslockjson" / "multi-framework" / "packages.lock.json")) == [
        ("Newtonsoft.Json", "13.0.3", 5, True, None, None),
        ("Serilog", "3.1.1", 11, False, None, None),  # CentralTransitive
        ("System.Text.Json", None, 17, False, None, "[8.0.0, )"),  # not resolved
        # my.library is a Project reference: skipped. Newtonsoft.Json again for
        # net8.0: the same (name, version), reported once.
        ("Polly", "8.2.0", 35, True, None, None),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("wrong-types", r"dependencies\['net6.0'\] is not a JSON object"),
        ("not-an-object", "packages.lock.json is not a JSON object"),
    ],
)
def test_lock_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        lock(DATA / "packageslockjson" / name / "packages.lock.json")


@pytest.mark.parametrize(
    "text",
    [
        b'{"dependencies": {"net6.0": {"A": {"type": 1, "resolved": "1.0.0"}}}}',
        b'{"dependencies": {"net6.0": {"A": {"type": "Direct", "resolved": ["1"]}}}}',
        b'{"dependencies": {"net6.0": {"A": "1.0.0"}}}',
        b'{"dependencies": "net6.0"}',
        b'{"dependencies": {"net6.0": {"A\\u0001": {"resolved": "1.0.0"}}}}',
    ],
)
def test_lock_wrong_types(text: bytes) -> None:
    with pytest.raises(ParseError):
        packageslockjson.parse(Source("packages.lock.json", text))


def test_lock_without_dependencies() -> None:
    assert packageslockjson.parse(Source("packages.lock.json", b'{"version": 1}')) == []


def test_config_valid(shared: Path) -> None:
    assert rows(config(shared / "packagesconfig" / "valid")) == [
        ("Microsoft.CodeDom.Providers.DotNetCompilerPlatform", "1.0.0", 3, None, False, None),
        ("Microsoft.Net.Compilers", "1.0.0", 4, None, True, None),
    ]


def test_config_no_version(shared: Path) -> None:
    assert rows(config(shared / "packagesconfig" / "noversion")) == [
        ("Microsoft.CodeDom.Providers.DotNetCompilerPlatform", "1.0.0", 3, None, False, None),
        ("Microsoft.Net.Compilers", None, 4, None, True, "*"),
    ]


def test_config_package_without_id_is_skipped(shared: Path) -> None:
    assert rows(config(shared / "packagesconfig" / "nopackage")) == [
        ("Microsoft.CodeDom.Providers.DotNetCompilerPlatform", "1.0.0", 3, None, False, None),
    ]


def test_config_invalid(shared: Path) -> None:
    with pytest.raises(ParseError, match="invalid XML"):
        config(shared / "packagesconfig" / "invalid")


def test_config_utf16_with_bom() -> None:
    assert rows(config(DATA / "packagesconfig" / "utf16-with-bom.config")) == [
        ("EntityFramework", "6.4.4", 3, None, False, None),
        ("jQuery", "3.7.1", 4, None, False, None),
        ("Microsoft.CodeDom.Providers.DotNetCompilerPlatform", "2.0.1", 5, None, True, None),
    ]


def test_config_duplicates_and_allowed_versions() -> None:
    assert rows(config(DATA / "packagesconfig" / "duplicates-and-allowed-versions.config")) == [
        ("log4net", "2.0.15", 4, None, False, None),
        ("NUnit", None, 6, None, True, "[3,4)"),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billion-laughs.config", "document type and entity declarations are not allowed"),
        ("xxe-external-entity.config", "document type and entity declarations are not allowed"),
        ("wrong-root.config", "root element is <configuration>"),
    ],
)
def test_config_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        config(DATA / "packagesconfig" / name)
