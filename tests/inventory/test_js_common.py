"""What every JavaScript lockfile parser promises: packages or a ParseError, never a hang,
never another exception; plus the shared helpers of ``_npm``."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from glasshouse.inventory import _npm, bunlock, packagelockjson, pnpmlock, yarnlock
from glasshouse.inventory.base import Extractor, ParseError, Source
from glasshouse.model.package import Package

EXTRACTORS: dict[str, Extractor] = {
    "packagelockjson": packagelockjson.EXTRACTOR,
    "yarnlock": yarnlock.EXTRACTOR,
    "pnpmlock": pnpmlock.EXTRACTOR,
    "bunlock": bunlock.EXTRACTOR,
}
OWN = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "javascript"

# Shared files that must be refused (each other one must parse), per format directory.
SHARED_REFUSED = {
    "packagelockjson": {"not-json.txt", "null.v2.jsontest"},
    "yarnlock": set(),
    "pnpmlock": {"not-yaml.txt"},
    "bunlock": {"not-json.txt", "bad-tuple.json5"},
}


def parse_guarded(extractor: Extractor, source: Source, seconds: float = 30.0) -> object:
    """The packages, or the exception raised; fails the test if parsing does not end."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(extractor.parse(source))
        except Exception as exc:  # any other type is reported, then failed, by the caller
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{extractor.name} did not finish on {source.path}"
    return outcome[0]


def check_outcome(outcome: object, source: Source) -> None:
    if isinstance(outcome, ParseError):
        message = str(outcome)
        assert message
        assert "\n" not in message
        assert source.path not in message
        return
    assert not isinstance(outcome, BaseException), f"{type(outcome).__name__}: {outcome}"
    assert isinstance(outcome, list)
    for package in outcome:
        assert isinstance(package, Package)
        assert package.ecosystem == "npm"
        assert package.name
        assert package.location.path == source.path
        assert package.requirement != ""
        if package.version is not None:
            assert package.requirement is None


def test_extractors_are_declared() -> None:
    for name, extractor in EXTRACTORS.items():
        assert extractor.name == name
        assert extractor.ecosystem == "npm"


def test_every_shared_file_parses_or_is_refused(shared_dir: Path) -> None:
    root = shared_dir / "lockfiles" / "javascript"
    files = sorted(p for p in root.rglob("*") if p.is_file())
    assert len(files) > 100
    for path in files:
        rel = path.relative_to(root).as_posix()
        source = Source(path=f"repo/{rel}", data=path.read_bytes())
        own_format = rel.split("/", 1)[0]
        for name, extractor in EXTRACTORS.items():
            outcome = parse_guarded(extractor, source)
            check_outcome(outcome, source)
            if name == own_format:
                refused = path.name in SHARED_REFUSED[own_format]
                assert isinstance(outcome, ParseError) is refused, (name, rel, outcome)


def test_every_own_file_parses_or_is_refused_by_every_parser() -> None:
    for path in sorted(p for p in OWN.rglob("*") if p.is_file()):
        source = Source(path=f"repo/{path.relative_to(OWN).as_posix()}", data=path.read_bytes())
        for extractor in EXTRACTORS.values():
            check_outcome(parse_guarded(extractor, source), source)


GARBAGE: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b"  \n\t\n",
    "nul-bytes": b"\x00" * 64,
    "gzip-header": bytes.fromhex("1f8b08000000000000ff") + bytes(range(0, 256, 3)),
    "latin-1": "caf\xe9: 1\n".encode("latin-1"),
    "lone-utf16-bom": b"\xff\xfe\x00",
    "json-scalar": b"42",
    "json-string": b'"package-lock"',
    "json-list": b"[1, 2, 3]",
    "deep-json": b"[" * 100_000,
    "deep-json-objects": b'{"a":' * 100_000,
    "long-number": b'{"lockfileVersion": ' + b"9" * 10_000 + b"}",
    "deep-yaml-flow": b"a: " + b"[" * 100_000,
    "deep-yaml-block": b"".join(b"  " * i + b"k:\n" for i in range(3_000)),
    "yaml-python-tag": b"!!python/object/apply:os.system ['echo glasshouse-pwned']\n",
    "yaml-python-name": b"packages: !!python/name:os.system\n",
    "yaml-unhashable-key": b"? [a, b]\n: c\n",
    "yaml-merge-key": b"base: {a: 1}\npackages:\n  <<: {x@1.0.0: {}}\n",
    "yaml-bad-timestamp": b"lockfileVersion: 2020-02-30\n",
    "berry-header-only": b"__metadata:\n",
    "yarn-v1-tabs": b'a@1:\n\tversion "1.0.0"\n',
    "jsonc-unterminated-comment": b'{"packages": {} /* no end',
    "jsonc-unterminated-string": b'{"packages": {"a": ["a@1.0.0]}}',
    "many-unclosed-comments": b"/*" * 200_000,
    "many-escaped-quotes": b'"a\\"' * 200_000,
}


@pytest.mark.parametrize("case", sorted(GARBAGE))
@pytest.mark.parametrize("format_name", sorted(EXTRACTORS))
def test_garbage_gives_packages_or_parse_error(format_name: str, case: str) -> None:
    source = Source(path=f"secret/{case}.lock", data=GARBAGE[case])
    check_outcome(parse_guarded(EXTRACTORS[format_name], source), source)


@pytest.mark.parametrize("format_name", sorted(EXTRACTORS))
def test_python_tags_are_refused_everywhere(format_name: str) -> None:
    data = GARBAGE["yaml-python-tag"]
    with pytest.raises(ParseError):
        EXTRACTORS[format_name].parse(Source(path="x", data=data))


# ------------------------------------------------------------------------ scale


def _names(count: int) -> list[tuple[str, str]]:
    return [
        (f"@scope{i % 7}/pkg-{i}" if i % 5 == 0 else f"pkg-{i}", f"{i % 9}.{i % 31}.{i % 97}")
        for i in range(count)
    ]


def _package_lock(count: int) -> str:
    packages: dict[str, object] = {"": {"dependencies": {"pkg-1": "^1.0.0"}}}
    for i, (name, version) in enumerate(_names(count)):
        path = f"node_modules/{name}" if i % 10 else f"node_modules/pkg-1/node_modules/{name}"
        packages[path] = {"version": version, "dev": i % 3 == 0, "dependencies": {"x": "^1"}}
    return json.dumps({"lockfileVersion": 3, "packages": packages}, indent=2)


def _yarn_v1(count: int) -> str:
    lines = ["# yarn lockfile v1", ""]
    for name, version in _names(count):
        lines += [f'"{name}@^{version}", "{name}@~{version}":', f'  version "{version}"']
        lines += ["  dependencies:", '    x "^1"', ""]
    return "\n".join(lines)


def _berry(count: int) -> str:
    lines = ["__metadata:", "  version: 8", ""]
    for name, version in _names(count):
        lines += [f'"{name}@npm:^{version}":', f"  version: {version}"]
        lines += [f'  resolution: "{name}@npm:{version}"', "  languageName: node", ""]
    return "\n".join(lines)


def _pnpm_v9(count: int) -> str:
    names = _names(count)
    lines = ["lockfileVersion: '9.0'", "importers:", "  .:", "    devDependencies:"]
    lines += ["      pkg-1:", "        specifier: ^1", f"        version: {names[1][1]}"]
    lines += ["packages:"]
    lines += [
        f"  '{name}@{version}':\n    resolution: {{integrity: sha512-x}}" for name, version in names
    ]
    lines += ["snapshots:"]
    lines += [f"  '{name}@{version}': {{}}" for name, version in names]
    return "\n".join(lines)


def _bun(count: int) -> str:
    entries = ",\n".join(
        f'    "{name}": ["{name}@{version}", "", {{}}, "sha512-x"]'
        for name, version in _names(count)
    )
    return '{\n  "lockfileVersion": 1,\n  "packages": {\n' + entries + ",\n  },\n}\n"


GENERATORS: dict[str, tuple[Extractor, Callable[[int], str]]] = {
    "package-lock v3": (packagelockjson.EXTRACTOR, _package_lock),
    "yarn v1": (yarnlock.EXTRACTOR, _yarn_v1),
    "yarn berry": (yarnlock.EXTRACTOR, _berry),
    "pnpm v9": (pnpmlock.EXTRACTOR, _pnpm_v9),
    "bun": (bunlock.EXTRACTOR, _bun),
}


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_large_lockfiles(kind: str) -> None:
    """5,000 packages each: a quadratic step would not finish within the guard."""
    extractor, generate = GENERATORS[kind]
    count = 5_000
    source = Source(path="big.lock", data=generate(count).encode())
    packages = parse_guarded(extractor, source, seconds=60.0)
    assert isinstance(packages, list)
    assert len(packages) == count
    assert [(p.name, p.version) for p in packages] == _names(count)
    lines = [p.location.line for p in packages]
    assert all(line is not None for line in lines)
    assert lines == sorted(line for line in lines if line is not None)
    assert len(set(lines)) == count or kind == "package-lock v3"


# ---------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("version", "concrete"),
    [
        ("1.2.3", True),
        ("0.0.0", True),
        ("1.0.0-beta.2", True),
        ("2.1.6+git", True),
        ("18.3.0-canary-ab31a9ed2-20230824", True),
        ("1.2", False),
        ("^1.2.3", False),
        ("latest", False),
        ("v1.2.3", False),
        ("github:org/repo#abc", False),
        ("file:../x", False),
        ("1.2.3 || 2.0.0", False),
    ],
)
def test_is_concrete(version: str, concrete: bool) -> None:
    assert _npm.is_concrete(version) is concrete


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("git+https://tok@github.com/o/r.git#x", "git+https://***@github.com/o/r.git#x"),
        ("https://user:pass@host/p", "https://***@host/p"),
        ("git+ssh://git@github.com/o/r.git", "git+ssh://git@github.com/o/r.git"),
        ("github:o/r#abc", "github:o/r#abc"),
        ("https://host/a@b", "https://host/a@b"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert _npm.redact(text) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("lodash@^4", ("lodash", "^4")),
        ("@babel/core@7.0.0", ("@babel/core", "7.0.0")),
        ("lodash", ("lodash", "")),
        ("@scope/only", ("@scope/only", "")),
        ("a@git+ssh://git@host:o/r", ("a", "git+ssh://git@host:o/r")),
    ],
)
def test_split_spec(spec: str, expected: tuple[str, str]) -> None:
    assert _npm.split_spec(spec) == expected


def test_collector_deduplicates_and_merges_flags() -> None:
    out = _npm.Collector("p")
    out.add("a", "1.0.0", 3, direct=False, dev=True)
    out.add("a", "1.0.0", 9, direct=True, dev=False)
    out.add("b", "1.0.0", 4, direct=False, dev=True)
    out.add("b", "1.0.0", 5, direct=False, dev=True)
    out.add("c", None, 6, requirement="github:o/c#1")
    out.add("c", None, 7, requirement="github:o/c#2")
    out.add("d", "2.0.0", 8, requirement="ignored when pinned")
    out.add("e", "1.0.0", 10, dev=True)
    out.add("e", "1.0.0", 11, dev=None)
    assert [
        (p.name, p.version, p.location.line, p.direct, p.dev, p.requirement) for p in out.packages()
    ] == [
        ("a", "1.0.0", 3, True, False, None),
        ("b", "1.0.0", 4, False, True, None),
        ("c", None, 6, None, None, "github:o/c#1"),
        ("c", None, 7, None, None, "github:o/c#2"),
        ("d", "2.0.0", 8, None, None, None),
        ("e", "1.0.0", 10, None, None, None),
    ]


def test_jsonc() -> None:
    text = """{
      // a comment with "quotes", and a } bracket
      "a": "https://x/y//z,}",  /* block, ] */
      "b": [1, 2, /* c */ ],
      "c": {"d": "\\\\",},
    }"""
    assert _npm.load_jsonc(text) == {"a": "https://x/y//z,}", "b": [1, 2], "c": {"d": "\\"}}


def test_json_key_lines_follow_document_order() -> None:
    text = '{\n "a": {\n  "x": {}\n },\n "x": {},\n "we\\"ird": [],\n "s": "x\\": {"\n}'
    assert json.loads(text)["s"] == 'x": {'
    lines = _npm.JsonKeyLines(text)
    assert lines.find("a") == 2
    assert lines.find("x") == 3
    assert lines.find("x") == 5
    assert lines.find("x") is None  # the escaped quote inside "s" is no key
    assert lines.find("a") is None  # nothing after the cursor
    assert _npm.JsonKeyLines(text).find('we"ird') == 6


@pytest.mark.parametrize("enabled", [True, False])
def test_gc_paused_restores_the_collector(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        with _npm.gc_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(ParseError), _npm.gc_paused():
            raise ParseError("x")
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
