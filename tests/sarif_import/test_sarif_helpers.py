"""The small pieces: text cleaning and redaction, placeholders, URI resolution, severity."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.model import Severity
from glasshouse.sarif_import.severity import score_severity
from glasshouse.sarif_import.text import clean, one_line, paragraph, redact, substitute
from glasshouse.sarif_import.uris import PathResolver


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Possible hardcoded password: 'hunter2'", "Possible hardcoded password: '<redacted>'"),
        (
            'Hard-coded API key "AKIAFAKEFAKE" in settings',
            'Hard-coded API key "<redacted>" in settings',
        ),
        ("secret token = 'abc' found", "secret token = '<redacted>' found"),
        ("Use of 'eval' on user input", "Use of 'eval' on user input"),  # no credential word
        ("Call to 'os.system' with a password", "Call to 'os.system' with a password"),
        ("", ""),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_clean_replaces_escapes_bidi_and_surrogates() -> None:
    assert clean("a\x1b[31mb\u202ec\ud800d\te") == "a\ufffd[31mb\ufffdc\ufffdd\te"


def test_one_line_and_paragraph() -> None:
    assert one_line("\n\n  first \t line  \nsecond", 100) == "first   line"
    assert one_line("abcdef", 4) == "abc\u2026"
    assert paragraph("One\nparagraph  here.\n\nSecond paragraph.", 100) == "One paragraph here."


@pytest.mark.parametrize(
    ("template", "arguments", "expected"),
    [
        ("{0} and {1}", ["a", "b"], "a and b"),
        ("{1}{0}{1}", ["a", "b"], "bab"),
        ("{{0}} is literal", ["a"], "{0} is literal"),
        ("{2} is missing", ["a"], "{2} is missing"),
        ("{x} is no placeholder", ["a"], "{x} is no placeholder"),
    ],
)
def test_substitute(template: str, arguments: list[str], expected: str) -> None:
    assert substitute(template, arguments) == expected


def test_resolver_with_the_file_system_root() -> None:
    resolver = PathResolver(Path("/"), {})
    assert resolver.resolve("file:///etc/app.conf", None) == "etc/app.conf"
    assert resolver.resolve("etc/x", None) == "etc/x"


def test_resolver_with_a_relative_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    resolver = PathResolver(Path(), {})
    assert resolver.resolve((tmp_path / "a" / "b.py").as_uri(), None) == "a/b.py"
    assert resolver.resolve("a/b.py", None) == "a/b.py"
    assert resolver.resolve("", None) == "."


def test_resolver_caches_and_never_touches_the_disk() -> None:
    resolver = PathResolver(Path("/no/such/root"), {"B": ("file:///no/such/root/sub/", None)})
    assert resolver.resolve("x.py", "B") == "sub/x.py"
    assert resolver.resolve("x.py", "B") == "sub/x.py"
    assert resolver.resolve("file:///no/such/rootless/x.py", None) == "/no/such/rootless/x.py"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9.8", Severity.CRITICAL),
        ("7.0", Severity.HIGH),
        (" 6.9 ", Severity.MEDIUM),
        (4, Severity.MEDIUM),
        ("0.1", Severity.LOW),
        ("0", Severity.LOW),
        ("10", Severity.CRITICAL),
        ("10.1", None),
        ("-1", None),
        ("nan", None),
        ("inf", None),
        ("high", None),
        (True, None),
        ([7], None),
        (None, None),
    ],
)
def test_security_severity_scores(value: object, expected: Severity | None) -> None:
    assert score_severity({"security-severity": value}) is expected
