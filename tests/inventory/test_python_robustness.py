"""Every Python lockfile parser, on every input it may meet: a list of packages or a
``ParseError`` with a one-line message that names no path; never another exception."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from glasshouse.inventory import pdmlock, pipfilelock, poetrylock, pylock, requirements, uvlock
from glasshouse.inventory.base import Extractor, ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "python"
EXTRACTORS: dict[str, Extractor] = {
    module.EXTRACTOR.name: module.EXTRACTOR
    for module in (requirements, poetrylock, pipfilelock, uvlock, pdmlock, pylock)
}
SECRET_DIR = "secret-dir-7f3a"


def no_reads(name: str) -> bytes:
    raise ParseError(f"{name}: reading other files is not allowed here")


def outcome(parse: Callable[[Source], list[Package]], data: bytes) -> list[Package] | str:
    """The packages, or the error message after checking its form."""
    try:
        packages = parse(Source(f"{SECRET_DIR}/lockfile", data, no_reads))
    except ParseError as exc:
        message = str(exc)
        assert message
        assert "\n" not in message
        assert SECRET_DIR not in message
        return message
    assert isinstance(packages, list)
    assert all(isinstance(p, Package) and p.ecosystem == "PyPI" for p in packages)
    return packages


def files_of(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_names() -> None:
    assert sorted(EXTRACTORS) == [
        "pdmlock",
        "pipfilelock",
        "poetrylock",
        "pylock",
        "requirements",
        "uvlock",
    ]


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_every_shared_file_parses_or_fails_cleanly(shared_dir: Path, name: str) -> None:
    paths = files_of(shared_dir / "lockfiles" / "python" / name)
    assert paths
    for path in paths:
        outcome(EXTRACTORS[name].parse, path.read_bytes())


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_every_own_file_parses_or_fails_cleanly(name: str) -> None:
    paths = files_of(DATA / name)
    assert paths
    for path in paths:
        outcome(EXTRACTORS[name].parse, path.read_bytes())


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_truncated_everywhere(shared_dir: Path, name: str) -> None:
    """Each valid input, cut at many points: packages or ParseError, nothing else."""
    parse = EXTRACTORS[name].parse
    sources = files_of(DATA / name) + files_of(shared_dir / "lockfiles" / "python" / name)
    for path in sources:
        data = path.read_bytes()
        if isinstance(outcome(parse, data), str) or len(data) > 20_000:
            continue
        step = max(1, len(data) // 150)
        for cut in range(0, len(data), step):
            outcome(parse, data[:cut])


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_mutated_bytes(shared_dir: Path, name: str) -> None:
    """Valid inputs with random bytes overwritten, inserted or deleted."""
    parse = EXTRACTORS[name].parse
    rng = random.Random(f"glasshouse-{name}")
    pool = b"\x00\xff\xfe\"'[]{}=,\\#\n\r -;:@.*$~\xc3\xa9abc019"
    for path in files_of(DATA / name) + files_of(shared_dir / "lockfiles" / "python" / name):
        data = path.read_bytes()
        if isinstance(outcome(parse, data), str) or len(data) > 20_000:
            continue
        for _ in range(40):
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(mutated) + 1)
                kind = rng.randrange(3)
                if kind == 0 and at < len(mutated):
                    mutated[at] = rng.choice(pool)
                elif kind == 1:
                    mutated[at:at] = bytes([rng.choice(pool)])
                else:
                    del mutated[at : at + rng.randint(1, 8)]
            outcome(parse, bytes(mutated))


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_garbage(name: str) -> None:
    parse = EXTRACTORS[name].parse
    rng = random.Random(name)
    for size in (1, 2, 7, 64, 1000):
        for _ in range(10):
            outcome(parse, bytes(rng.randrange(256) for _ in range(size)))
    for text in ("[", "{", '"', "'''", '"""', "[[package]]", "[[packages]]", "-r", "\\", "=="):
        outcome(parse, text.encode())


WRONG_TYPES = ["1", "1.5", "true", '"x"', "[]", "[1]", '["x"]', "{}", "{ a = 1 }", "1979-05-27"]
TOML_KEYS = {
    "poetrylock": ("package", ["name", "version", "groups", "category"]),
    "uvlock": (
        "package",
        ["name", "version", "source", "dependencies", "optional-dependencies", "dev-dependencies"],
    ),
    "pdmlock": ("package", ["name", "version", "groups"]),
    "pylock": ("packages", ["name", "version", "vcs", "directory", "archive"]),
}


@pytest.mark.parametrize("name", sorted(TOML_KEYS))
def test_toml_wrong_types(name: str) -> None:
    """Every field the parsers read, given every other TOML type."""
    parse = EXTRACTORS[name].parse
    array, keys = TOML_KEYS[name]
    for value in WRONG_TYPES:
        outcome(parse, f"{array} = {value}\n".encode())
        for key in keys:
            fields = {"name": '"x"', "version": '"1.0"', "source": '{ virtual = "." }'}
            fields[key] = value
            body = "".join(f"{k} = {v}\n" for k, v in fields.items())
            outcome(parse, f"[[{array}]]\n{body}".encode())
            nested = f'[[{array}]]\nname = "x"\nversion = "1"\n{key} = [{value}]\n'
            outcome(parse, nested.encode())


def test_json_wrong_types() -> None:
    parse = EXTRACTORS["pipfilelock"].parse
    values = ["1", "1.5", "true", "null", '"x"', "[]", "[1]", "{}", '{"a": 1}']
    for value in values:
        outcome(parse, value.encode())
        for section in ("_meta", "default", "develop", "custom"):
            outcome(parse, f'{{"{section}": {value}}}'.encode())
            outcome(parse, f'{{"{section}": {{"x": {value}}}}}'.encode())
            for key in ("version", "git", "ref", "path", "editable"):
                outcome(parse, f'{{"{section}": {{"x": {{"{key}": {value}}}}}}}'.encode())
