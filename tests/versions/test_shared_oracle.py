"""Every comparison in ../shared/versions must hold for the scheme of its ecosystem.

The files are an external oracle (osv-scalibr's hand-written edge cases). A line that
contradicts the rest of the oracle is listed in CONTRADICTORY with the reason and must
keep failing (strict xfail): if a scheme change makes it pass, something else broke.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.versions import alpine, debian, maven, nuget, packagist, pypi, rubygems, semver
from glasshouse.versions.base import VersionScheme

ORACLES: dict[str, VersionScheme] = {
    "pypi": pypi.SCHEME,
    "semver": semver.SCHEME,
    "maven": maven.SCHEME,
    "rubygems": rubygems.SCHEME,
    "packagist": packagist.SCHEME,
    "nuget": nuget.SCHEME,
    "debian": debian.SCHEME,
    "alpine": alpine.SCHEME,
}

CONTRADICTORY: dict[str, dict[str, str]] = {
    "packagist": {
        "1.2.3.# = 1.2.3.1": (
            "with '1.2.3.# = 1.2.3', two lines above, it makes 1.2.3 equal 1.2.3.1, yet "
            "the same file has '1.0.0 > 1.0': a further number always makes a version "
            "greater. PHP's version_compare says both, because it treats '#' as equal to "
            "any number, which is not a total order; no ordering key can satisfy both."
        ),
    },
}


def comparisons(path: Path) -> list[tuple[int, str, str, str, str]]:
    """(line number, line, a, op, b) for every comparison; comments are skipped."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith(("# ", "// ")):
            continue
        a, op, b = line.split(" ")
        assert op in ("<", "=", ">"), f"{path.name}:{number}: unknown operator in {line!r}"
        found.append((number, line, a, op, b))
    return found


def holds(scheme: VersionScheme, a: str, op: str, b: str) -> bool:
    ka, kb = scheme.parse(a), scheme.parse(b)
    less, greater = bool(ka < kb), bool(kb < ka)
    if op == "=":
        return ka == kb and not less and not greater
    if op == ">":
        less, greater = greater, less
    return less and not greater and ka != kb


@pytest.mark.parametrize("ecosystem", sorted(ORACLES))
def test_every_oracle_comparison_holds(shared_dir: Path, ecosystem: str) -> None:
    scheme = ORACLES[ecosystem]
    path = shared_dir / "versions" / f"{ecosystem}-versions.txt"
    cases = comparisons(path)
    assert cases, f"{path} has no comparisons"
    skipped = CONTRADICTORY.get(ecosystem, {})
    failures = [
        f"{path.name}:{number}: {line}"
        for number, line, a, op, b in cases
        if line not in skipped and not holds(scheme, a, op, b)
    ]
    assert not failures, "\n".join(failures)
    # an exemption must name a line the file has, or it hides nothing and misleads
    assert set(skipped) <= {case[1] for case in cases}


@pytest.mark.parametrize(
    ("ecosystem", "line"),
    [
        pytest.param(
            eco,
            line,
            marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason),
            id=f"{eco}: {line}",
        )
        for eco, lines in sorted(CONTRADICTORY.items())
        for line, reason in sorted(lines.items())
    ],
)
def test_contradictory_oracle_lines(shared_dir: Path, ecosystem: str, line: str) -> None:
    a, op, b = line.split(" ")
    assert holds(ORACLES[ecosystem], a, op, b)


def test_every_implemented_oracle_file_is_read(shared_dir: Path) -> None:
    present = {p.name.removesuffix("-versions.txt") for p in (shared_dir / "versions").iterdir()}
    assert set(ORACLES) <= present
