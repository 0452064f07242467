"""The flat ordering keys agree with the pairwise algorithms they encode.

Debian, RubyGems, Maven and Packagist compare a shorter version as if padded, and the
padding's weight depends on what it meets; their keys encode that so plain tuple order
works. Here each key order is checked against a direct, pairwise implementation of
the ecosystem's comparison on many random versions, edge cases included by design
(zeros, tildes, empty runs, qualifiers next to numbers).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest

from glasshouse.versions import debian, maven, packagist, rubygems
from glasshouse.versions.base import InvalidVersion, VersionScheme

PAIRS = 4000


def sign(value: int) -> int:
    return (value > 0) - (value < 0)


def key_order(scheme: VersionScheme, a: str, b: str) -> int:
    ka, kb = scheme.parse(a), scheme.parse(b)
    return -1 if ka < kb else 1 if kb < ka else 0


def agree(
    scheme: VersionScheme,
    reference: Callable[[str, str], int],
    generate: Callable[[random.Random], str],
) -> None:
    rnd = random.Random(20260927)
    pool: list[str] = []
    while len(pool) < 600:
        text = generate(rnd)
        try:
            scheme.parse(text)
        except InvalidVersion:
            continue
        pool.append(text)
    disagreements = []
    for _ in range(PAIRS):
        a, b = rnd.choice(pool), rnd.choice(pool)
        expected, got = sign(reference(a, b)), key_order(scheme, a, b)
        if expected != got:
            disagreements.append(f"{a!r} vs {b!r}: reference {expected}, key {got}")
    assert not disagreements, "\n".join(disagreements[:20])


def pieces(rnd: random.Random, alphabet: list[str], most: int) -> str:
    return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, most)))


# -- Debian: dpkg's verrevcmp, character by character -------------------------------


def dpkg_order(char: str) -> int:
    if char == "" or char.isdigit():
        return 0
    if char.isalpha():
        return ord(char)
    if char == "~":
        return -1
    return ord(char) + 256


def verrevcmp(a: str, b: str) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac, bc = dpkg_order(a[i : i + 1]), dpkg_order(b[j : j + 1])
            if ac != bc:
                return ac - bc
            i, j = i + 1, j + 1
        start_i, start_j = i, j
        while i < len(a) and a[i].isdigit():
            i += 1
        while j < len(b) and b[j].isdigit():
            j += 1
        diff = int(a[start_i:i] or 0) - int(b[start_j:j] or 0)
        if diff:
            return diff
    return 0


def dpkg_compare(a: str, b: str) -> int:
    def split(text: str) -> tuple[int, str, str]:
        epoch, _, rest = text.rpartition(":") if ":" in text else ("0", "", text)
        upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
        return int(epoch), upstream, revision

    (ea, ua, ra), (eb, ub, rb) = split(a), split(b)
    return (ea - eb) or verrevcmp(ua, ub) or verrevcmp(ra, rb)


def debian_version(rnd: random.Random) -> str:
    atoms = ["0", "1", "00", "10", "2", "~", "a", "b", "Z", "+", ".", "~~", "9"]
    text = rnd.choice("0123456789") + pieces(rnd, atoms, 5)
    if rnd.random() < 0.5:
        text += "-" + pieces(rnd, [a for a in atoms if a != "-"], 4)
    if rnd.random() < 0.2:
        text = f"{rnd.randint(0, 2)}:{text}"
    return text


def test_debian_key_is_dpkg_order() -> None:
    agree(debian.SCHEME, dpkg_compare, debian_version)


# -- RubyGems: Gem::Version#<=> -----------------------------------------------------


def gem_segments(text: str) -> list[int | str]:
    found = re.findall(r"[0-9]+|[a-z]+", text.replace("-", ".pre."), re.IGNORECASE)
    segments: list[int | str] = [int(s) if s.isdigit() else s for s in found]
    split = next((i for i, s in enumerate(segments) if isinstance(s, str)), len(segments))
    numeric, strings = segments[:split], segments[split:]
    while numeric and numeric[-1] == 0:
        numeric.pop()
    while strings and strings[-1] == 0:
        strings.pop()
    return numeric + strings


def gem_compare(a: str, b: str) -> int:
    left, right = gem_segments(a), gem_segments(b)
    for index in range(max(len(left), len(right))):
        lhs = left[index] if index < len(left) else 0
        rhs = right[index] if index < len(right) else 0
        if lhs == rhs:
            continue
        if isinstance(lhs, str) and isinstance(rhs, int):
            return -1
        if isinstance(lhs, int) and isinstance(rhs, str):
            return 1
        if isinstance(lhs, int) and isinstance(rhs, int):
            return -1 if lhs < rhs else 1
        return -1 if str(lhs) < str(rhs) else 1
    return 0


def gem_version(rnd: random.Random) -> str:
    atoms = [".0", ".1", ".2", ".10", ".a", ".b", ".pre", ".0.a", "a", "1", "0", ".A"]
    text = rnd.choice("0123456789") + pieces(rnd, atoms, 6)
    return text + ("-rc" + str(rnd.randint(0, 2)) if rnd.random() < 0.2 else "")


def test_rubygems_key_is_gem_version_order() -> None:
    agree(rubygems.SCHEME, gem_compare, gem_version)


# -- Maven: the specification's padded comparison of prefixed tokens ----------------

QUALIFIERS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"]


def maven_token_compare(x: tuple[str, str | int], y: tuple[str, str | int]) -> int:
    """``.qualifier`` = ``-qualifier`` < ``-number`` < ``.number``."""

    def kind(token: tuple[str, str | int]) -> int:
        return 0 if isinstance(token[1], str) else 1 if token[0] == "-" else 2

    if kind(x) != kind(y):
        return kind(x) - kind(y)
    if isinstance(x[1], int) and isinstance(y[1], int):
        return x[1] - y[1]
    qx, qy = str(x[1]), str(y[1])
    rx = (QUALIFIERS.index(qx), "") if qx in QUALIFIERS else (len(QUALIFIERS), qx)
    ry = (QUALIFIERS.index(qy), "") if qy in QUALIFIERS else (len(QUALIFIERS), qy)
    return -1 if rx < ry else 1 if ry < rx else 0


def maven_compare(a: str, b: str) -> int:
    left, right = maven.tokens(a), maven.tokens(b)
    for index in range(max(len(left), len(right))):
        x = left[index] if index < len(left) else None
        y = right[index] if index < len(right) else None
        # padding takes the other side's prefix: 0 after ".", the release "" after "-"
        if x is None:
            assert y is not None
            x = (".", 0) if y[0] == "." and isinstance(y[1], int) else ("-", "")
        if y is None:
            y = (".", 0) if x[0] == "." and isinstance(x[1], int) else ("-", "")
        result = maven_token_compare(x, y)
        if result:
            return result
    return 0


def maven_version(rnd: random.Random) -> str:
    atoms = [".0", ".1", ".2", "-1", "-0", ".", "-", "-sp", ".ga", "-alpha", "a1", "b", "-rc"]
    atoms += ["-SNAPSHOT", ".final", "-xyz", "m2", ".jre", "10", "-0.0"]
    return rnd.choice(["0", "1", "2"]) + pieces(rnd, atoms, 6)


def test_maven_key_is_the_specified_padded_order() -> None:
    agree(maven.SCHEME, maven_compare, maven_version)


# -- Packagist: version_compare's walk over the parts --------------------------------

PHP_FORMS = [("dev", 0), ("alpha", 1), ("a", 1), ("beta", 2), ("b", 2), ("rc", 3)]
PHP_FORMS += [("#", 4), ("pl", 5), ("p", 5)]
NUMBER_FORM = 4  # "#N#": what a number weighs against a word


def php_form(word: str) -> int:
    return next((order for name, order in PHP_FORMS if word.startswith(name)), -1)


def php_compare(a: str, b: str) -> int:
    left, right = packagist.parts(a), packagist.parts(b)
    for x, y in zip(left, right, strict=False):
        if isinstance(x, int) and isinstance(y, int):
            result = x - y
        elif isinstance(x, str) and isinstance(y, str):
            result = php_form(x) - php_form(y)
        elif isinstance(x, int):
            result = NUMBER_FORM - php_form(str(y))
        else:
            result = php_form(x) - NUMBER_FORM
        if result:
            return result
    if len(left) > len(right):
        rest = left[len(right)]
        return 1 if isinstance(rest, int) else php_form(rest) - NUMBER_FORM
    if len(right) > len(left):
        rest = right[len(left)]
        return -1 if isinstance(rest, int) else NUMBER_FORM - php_form(rest)
    return 0


def packagist_version(rnd: random.Random) -> str:
    atoms = [".0", ".1", ".10", "-dev", "-alpha", "a", "b2", "-RC1", "pl", "-p1", "-foo", ".", "-"]
    atoms += ["-stable", "0", "patch"]
    return rnd.choice(["v1", "1", "0", "2"]) + pieces(rnd, atoms, 5)


def test_packagist_key_is_version_compare_order() -> None:
    agree(packagist.SCHEME, php_compare, packagist_version)


@pytest.mark.parametrize(
    ("scheme", "generate"),
    [
        (debian.SCHEME, debian_version),
        (rubygems.SCHEME, gem_version),
        (maven.SCHEME, maven_version),
        (packagist.SCHEME, packagist_version),
    ],
    ids=["debian", "rubygems", "maven", "packagist"],
)
def test_generators_reach_the_interesting_cases(
    scheme: VersionScheme, generate: Callable[[random.Random], str]
) -> None:
    # a generator whose versions are mostly equal would make the agreement vacuous
    rnd = random.Random(1)
    keys = set()
    for _ in range(500):
        try:
            keys.add(scheme.parse(generate(rnd)))
        except InvalidVersion:
            continue
    assert len(keys) > 200
