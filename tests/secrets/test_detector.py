"""The detector over a small hand-made rule set (not the catalogue): both pre-filter
paths, RE2 and its ``re`` fallback, every acceptance step, suppressions, skipping,
line numbers, history chunks, speed, and the same results without Hyperscan."""

from __future__ import annotations

import base64
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from glasshouse.model import Severity
from glasshouse.secrets import detector as detector_module
from glasshouse.secrets.detector import Detector, ScanOutcome
from glasshouse.secrets.rule import Rule

HYPERSCAN = detector_module.load_hyperscan() is not None
needs_hyperscan = pytest.mark.skipif(not HYPERSCAN, reason="hyperscan is not installed")


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def luhn_like(secret: str) -> bool:
    """A stand-in checksum: the digits of the secret add up to an even number."""
    return sum(int(ch) for ch in secret if ch.isdigit()) % 2 == 0


VALIDATORS: dict[str, Callable[[str], bool]] = {"even-digits": luhn_like}


def rule(rule_id: str, pattern: str, **kwargs: object) -> Rule:
    return Rule(rule_id, rule_id, Severity.HIGH, pattern, **kwargs)  # type: ignore[arg-type]


RULES: tuple[Rule, ...] = (
    # Exact in Hyperscan, bounded width: confirmed on the hit's line only.
    rule("tok", r"\b(?P<secret>tok_[A-Za-z0-9]{20})\b", keywords=("tok_",)),
    rule("aws-id", r"\b(?P<secret>AKIA[A-Z2-7]{16})\b", keywords=("akia",)),
    # Unbounded width (\s*): confirmed from the buffer's start to the hit.
    rule(
        "aws-secret",
        r"(?i)aws.{0,20}(?:secret|private).{0,20}[=:]\s*[\"']?(?P<secret>[A-Za-z0-9/+]{40})\b",
        keywords=("aws",),
        requires="aws-id",
        window=3,
    ),
    # A back-reference: Hyperscan only pre-filters it, RE2 refuses it, Python re confirms it.
    rule("quoted", r"qkey=(?P<q>[\"'])(?P<secret>[a-z0-9]{16})(?P=q)", keywords=("qkey",)),
    rule(
        "pem",
        r"-----BEGIN (?:RSA )?PRIVATE KEY-----\n(?P<secret>(?:[A-Za-z0-9+/=]{1,64}\n)+)"
        r"-----END (?:RSA )?PRIVATE KEY-----",
        keywords=("private key",),
    ),
    rule(
        "generic",
        r"(?i)(?:password|secret|token)[\w.-]{0,16}\s*[:=]\s*[\"']?(?P<secret>[^\s\"',;]{8,80})",
        keywords=("password", "secret", "token"),
        entropy=3.0,
        allow=(r"^not-a-real",),
    ),
    rule("blob", r"blob:\s*(?P<secret>[A-Za-z0-9+/]{32,}={0,2})", keywords=("blob",)),
    rule("num", r"\bnum-(?P<secret>[0-9]{12})\b", keywords=("num-",), validator="even-digits"),
    rule(
        "api-uuid",
        r"\bapikey\s*=\s*(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
        keywords=("apikey",),
        examples=("apikey = 3f2b8c1e-9d4a-4b7e-a1c2-5e6f7a8b9c0d",),
    ),
    rule("noise", r"(?P<secret>zq[a-z]{6})", keywords=("zq",)),
)

TOK = "tok_a1B2c3D4e5F6g7H8i9J0"
AWS_ID = (
    "AKIAQWERTYUIOPASDF23"  # glasshouse:allow aws-access-key-id fake key for the detector tests
)
# glasshouse:allow aws-secret-access-key,generic-secret-assignment fake key for the detector tests
AWS_SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYzz9a8b7c6d5e"
PEM_BODY = (
    "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
    "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n"
)
PEM = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}-----END RSA PRIVATE KEY-----"


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(RULES, VALIDATORS, entropy)


def found(outcome: ScanOutcome, rule_id: str | None = None) -> list[tuple[str, str, int]]:
    return [
        (m.rule.id, m.secret, m.line)
        for m in outcome.matches
        if rule_id is None or m.rule.id == rule_id
    ]


def scan(detector: Detector, text: str | bytes, path: str = "app/settings.py") -> ScanOutcome:
    return detector.scan(text.encode() if isinstance(text, str) else text, path)


# -- the two pre-filter paths and the two confirming engines ---------------------------------


@needs_hyperscan
def test_each_rule_uses_the_engine_it_can(detector: Detector) -> None:
    engines = detector.engines()
    assert detector.engine == "hyperscan"
    assert engines["tok"] == ("exact", "re2")
    assert engines["aws-secret"] == ("exact", "re2")
    assert engines["quoted"] == ("prefilter", "re")  # RE2 refuses the back-reference
    widths = dict(zip((r.id for r in RULES), detector._widths, strict=True))
    assert widths["tok"] == 24
    assert widths["aws-secret"] is None


def test_exact_hit_gives_line_column_and_secret(detector: Detector) -> None:
    outcome = scan(detector, f'import os\n\nKEY = "{TOK}"\n')
    [match] = outcome.matches
    assert (match.rule.id, match.secret, match.line, match.column) == ("tok", TOK, 3, 8)
    assert match.end_line == 3
    assert match.path == "app/settings.py"
    assert outcome.skipped is None


def test_unbounded_rule_found_with_its_required_rule_nearby(detector: Detector) -> None:
    text = f"aws_access_key_id = {AWS_ID}\naws_private_key = {AWS_SECRET}\n"
    assert found(scan(detector, text)) == [("aws-id", AWS_ID, 1), ("aws-secret", AWS_SECRET, 2)]


def test_required_rule_must_be_within_the_window(detector: Detector) -> None:
    far = f"aws_access_key_id = {AWS_ID}\n" + "\n" * 4 + f"aws_private_key = '{AWS_SECRET}'\n"
    assert found(scan(detector, far), "aws-secret") == []
    near = f"aws_access_key_id = {AWS_ID}\n" + "\n" * 2 + f"aws_private_key = '{AWS_SECRET}'\n"
    assert found(scan(detector, near), "aws-secret") == [("aws-secret", AWS_SECRET, 4)]
    # Below the secret counts as near too.
    below = f"aws_private_key = '{AWS_SECRET}'\n\naws_access_key_id = {AWS_ID}\n"
    assert found(scan(detector, below), "aws-secret") == [("aws-secret", AWS_SECRET, 1)]
    alone = f"aws_private_key = '{AWS_SECRET}'\n"
    assert found(scan(detector, alone)) == []


def test_pattern_refused_by_re2_is_confirmed_by_re(detector: Detector) -> None:
    outcome = scan(detector, 'x = 1\nqkey="abcdef0123456789" qkey=\'abcdef0123456789"\n')
    assert found(outcome) == [("quoted", "abcdef0123456789", 2)]


def test_rule_hyperscan_cannot_compile_is_searched_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if HYPERSCAN:
        real = detector_module._Prefilter._mode

        def refuse_tok(self: detector_module._Prefilter, pattern: bytes) -> str | None:
            return None if b"tok_" in pattern else real(self, pattern)

        monkeypatch.setattr(detector_module._Prefilter, "_mode", refuse_tok)
    detector = Detector(RULES, VALIDATORS, entropy)
    assert detector.engines()["tok"][0] in {"none", "keywords"}
    assert found(scan(detector, f"a\nb = '{TOK}'\n")) == [("tok", TOK, 2)]
    # Its keywords still gate it: without "tok_" on the line, nothing is tried.
    assert found(scan(detector, "nothing here\n")) == []


# -- acceptance --------------------------------------------------------------------------------


def test_entropy_floor(detector: Detector) -> None:
    assert found(scan(detector, "password = aaaaaaaabbbbbbbb\n")) == []
    assert found(scan(detector, "password = Xq7!pL2#vR9$mK4z\n")) == [
        ("generic", "Xq7!pL2#vR9$mK4z", 1)
    ]


def test_rule_allow_pattern(detector: Detector) -> None:
    assert found(scan(detector, "password = not-a-real-Pw9xQ2\n")) == []


@pytest.mark.parametrize(
    "line",
    [
        'password = "AKIAIOSFODNN7EXAMPLE"',
        "password = Xq7pxxxxxxxx",
        "password: <your-password-here>",
        "password = ${DB_PASSWORD}",
        "password = '{{ vault_db_password }}'",
        "secret: {{ .Values.secret }}",
        "password = %(DB_PASSWORD)s",
        "password = changeme-Pw9xQ2",
        "password = os.environ['DB_PASSWORD']",
        "token = process.env.GITHUB_TOKEN",
        "password=getenv('PG_PASS')",
        "secret = 3f2b8c1e-9d4a-4b7e-a1c2-5e6f7a8b9c0d",
        "token = 9fceb02d0ae598e95dc970b74767f19372d61af8",
        "token: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        'token: "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUR"',
        "blob: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4",
        "token = '********'",
    ],
)
def test_global_placeholders_are_quiet(detector: Detector, line: str) -> None:
    assert found(scan(detector, line + "\n")) == []


BASE64 = rule("b64", r"(?P<secret>[A-Za-z0-9+/]{40,}={0,2})")
REAL_B64 = base64.b64encode(bytes(range(7, 97))).decode()


@pytest.mark.parametrize(
    "line",
    [
        f'"integrity": "sha512-{REAL_B64}"',
        f'<img src="data:image/png;base64,{REAL_B64}">',
        'url = os.environ["AWSSECRETACCESSKEYFORPRODUCTIONDEPLOYMENT"]',
        "key = os.getenv('AWSSECRETACCESSKEYFORPRODUCTIONDEPLOYMENT')",
        "const key = process.env.AWSSECRETACCESSKEYFORPRODUCTIONDEPLOYMENT;",
        "x: ${AWSSECRETACCESSKEYFORPRODUCTIONDEPLOYMENT}",
        "x: {{ AWSSECRETACCESSKEYFORPRODUCTIONDEPLOYMENT }}",
        "x = <AWSSECRETACCESSKEYFORPRODUCTIONDEPLOYMENT>",
    ],
)
def test_placeholders_recognized_by_their_context(line: str) -> None:
    detector = Detector((BASE64,), {}, entropy)
    assert found(scan(detector, line + "\n")) == []


@pytest.mark.parametrize(
    "line",
    [
        f'key = os.getenv("KEY", "{REAL_B64}")',  # a real default beside a look-up
        f'"integrity": "sha512-x", "key": "{REAL_B64}"',
        f"x = a < b and {REAL_B64}",
        REAL_B64,
    ],
)
def test_placeholder_context_does_not_hide_a_real_secret(line: str) -> None:
    detector = Detector((BASE64,), {}, entropy)
    assert found(scan(detector, line + "\n")) == [("b64", REAL_B64, 1)]


def test_rule_whose_examples_are_uuids_is_exempt_from_the_uuid_placeholder(
    detector: Detector,
) -> None:
    key = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    assert found(scan(detector, f"apikey = {key}\n")) == [("api-uuid", key, 1)]


def test_validator(detector: Detector) -> None:
    assert found(scan(detector, "id num-123456789012\n")) == [("num", "123456789012", 1)]
    assert found(scan(detector, "id num-123456789013\n")) == []


def test_keyword_must_be_on_the_lines_of_the_match(detector: Detector) -> None:
    # "noise" has keyword "zq" and the pattern needs it, so it always holds; a rule whose
    # keyword is not in the match's lines finds nothing, with or without Hyperscan.
    odd = rule("odd", r"(?P<secret>qv[0-9]{8})", keywords=("marker",))
    for use in (True, False):
        d = Detector((odd,), {}, entropy, use_hyperscan=use)
        assert found(d.scan(b"marker\nqv12345678\n", "a")) == []
        assert found(d.scan(b"marker qv12345678\n", "a")) == [("odd", "qv12345678", 1)]


def test_configuration_errors() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        Detector((RULES[0], RULES[0]), VALIDATORS, entropy)
    with pytest.raises(ValueError, match="unknown validator"):
        Detector((rule("v", "x", validator="nope"),), VALIDATORS, entropy)
    with pytest.raises(ValueError, match="pattern does not compile"):
        Detector((rule("p", "(unclosed"),), VALIDATORS, entropy)
    with pytest.raises(ValueError, match="requires unknown"):
        Detector((rule("r", "x", requires="nope"),), VALIDATORS, entropy)


def test_duplicates_on_one_line_are_one_match(detector: Detector) -> None:
    outcome = scan(detector, f"{TOK} {TOK}\n{TOK}\n")
    assert found(outcome) == [("tok", TOK, 1), ("tok", TOK, 2)]


def test_secret_is_not_in_repr(detector: Detector) -> None:
    [match] = scan(detector, f"k = {TOK}\n").matches
    assert TOK not in repr(match)
    assert TOK not in repr(ScanOutcome(matches=[match]))


# -- suppression -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (f"key = '{TOK}'  # glasshouse:allow tok rotated in 2024, test fixture\n", 1),
        (f"const key = '{TOK}'; // glasshouse:allow tok rotated in 2024\n", 1),
        (f"/* glasshouse:allow tok rotated in 2024 */\nkey = '{TOK}'\n", 2),
        (f"<!-- glasshouse:allow * rotated in 2024 -->\n<key>{TOK}</key>\n", 2),
        (f"-- glasshouse:allow tok,generic rotated in 2024\nSELECT '{TOK}';\n", 2),
    ],
)
def test_suppression_with_reason(detector: Detector, text: str, line: int) -> None:
    outcome = scan(detector, text)
    [match] = outcome.matches
    assert (match.rule.id, match.line) == ("tok", line)
    assert match.suppressed == "rotated in 2024" or match.suppressed.startswith("rotated in 2024")
    assert outcome.suppression_errors == []


@pytest.mark.parametrize(
    "marker",
    [
        "# glasshouse:allow tok",
        "/* glasshouse:allow tok */",
        "<!-- glasshouse:allow tok -->",
        "// glasshouse:allow",
        "-- glasshouse:allow tok --",
    ],
)
def test_suppression_without_reason_suppresses_nothing_and_is_reported(
    detector: Detector, marker: str
) -> None:
    outcome = scan(detector, f"x = 1\n{marker}\nkey = '{TOK}'\n")
    [match] = outcome.matches
    assert match.suppressed is None
    assert outcome.suppression_errors == [2]


def test_suppression_reaches_one_line_and_one_rule_only(detector: Detector) -> None:
    text = f"# glasshouse:allow tok fixture\n\nkey = '{TOK}'\n# glasshouse:allow aws-id x\n{TOK}\n"
    outcome = scan(detector, text)
    assert [(m.line, m.suppressed) for m in outcome.matches] == [(3, None), (5, None)]


def test_suppressed_secret_is_reported_not_dropped(detector: Detector) -> None:
    outcome = scan(detector, f"{TOK} # glasshouse:allow * documented test key\n")
    assert [(m.secret, m.suppressed) for m in outcome.matches] == [(TOK, "documented test key")]


# -- what is skipped -----------------------------------------------------------------------------


def test_binary_is_skipped(detector: Detector) -> None:
    assert scan(detector, b"\x89PNG\r\n\x1a\n\0\0\0" + TOK.encode()).skipped == "binary"
    noise = random.Random(7).randbytes(4096).replace(b"\0", b"\x01")
    assert scan(detector, noise + TOK.encode()).skipped == "binary"


def test_oversized_is_skipped() -> None:
    small = Detector(RULES, VALIDATORS, entropy, max_bytes=1000)
    assert small.scan(b"x" * 1001, "a.txt").skipped == "oversized"
    assert small.scan(f"{TOK}\n".encode() + b"x" * 900, "a.txt").matches


def test_minified_is_skipped_but_ordinary_js_is_not(detector: Detector) -> None:
    bundle = ("function(a,b){return a+b};var x=" + repr(TOK) + ";") * 200
    assert scan(detector, bundle, "dist/app.min.js").skipped == "minified"
    assert scan(detector, bundle, "dist/app.txt").matches  # not a bundle's name
    source = "\n".join(f"  const value{i} = compute({i}, 'text');" for i in range(200))
    outcome = scan(detector, source + f"\nconst k = '{TOK}';\n", "src/app.js")
    assert outcome.skipped is None
    assert found(outcome) == [("tok", TOK, 201)]


def test_latin1_and_broken_utf8_are_scanned(detector: Detector) -> None:
    text = "caf\xe9 = 'cr\xe8me'\nkey = '".encode("latin-1") + TOK.encode() + b"'\n"
    assert found(scan(detector, text)) == [("tok", TOK, 2)]
    # A stray byte before the secret on its line: the column counts it as one character.
    outcome = scan(detector, b"\xff\xfe " + TOK.encode() + b"\n")
    assert outcome.skipped is None
    assert [(m.line, m.column) for m in outcome.matches] == [(1, 4)]
    # UTF-8 characters before it count one column each.
    outcome = scan(detector, "é€ ".encode() + TOK.encode())
    assert [(m.line, m.column) for m in outcome.matches] == [(1, 4)]


# -- line numbers ------------------------------------------------------------------------------


def test_line_numbers_at_start_end_and_crlf(detector: Detector) -> None:
    assert [(m.line, m.column) for m in scan(detector, TOK).matches] == [(1, 1)]
    text = "a\r\nb\r\n" + TOK + "\r\n\r\nz\r\n" + TOK
    outcome = scan(detector, text)
    assert found(outcome) == [("tok", TOK, 3), ("tok", TOK, 6)]
    # The secret of a rule that takes anything up to whitespace keeps no \r.
    assert [m.secret for m in scan(detector, "password = Xq7!pL2#vR9$mK4z\r\n").matches] == [
        "Xq7!pL2#vR9$mK4z"
    ]


def test_multiline_secret_has_start_and_end_lines(detector: Detector) -> None:
    outcome = scan(detector, f"# key\n\n{PEM}\n")
    [match] = outcome.matches
    assert (match.rule.id, match.line, match.end_line) == ("pem", 3, 6)
    assert match.secret == PEM_BODY


# -- git history chunks --------------------------------------------------------------------------


@dataclass
class FakeChunk:
    buffer: bytes
    origins: Sequence[tuple[str, int]]

    def locate_line(self, index: int) -> tuple[str, int]:
        return self.origins[index]


def test_scan_lines_maps_back_to_files(detector: Detector) -> None:
    lines = [
        ("a.py", 10, b"x = 1"),
        ("a.py", 11, f"key = '{TOK}'".encode()),
        ("conf/b.env", 3, f"aws_access_key_id = {AWS_ID}".encode()),
        ("conf/c.env", 4, f"aws_private_key = {AWS_SECRET}".encode()),  # other file: not near
        ("conf/b.env", 7, b"# glasshouse:allow tok rotated"),  # suppresses b.env line 8 only
        ("d.py", 8, f"k = '{TOK}'".encode()),
    ]
    outcome = detector.scan_lines(lines)
    assert [(path, line, m.rule.id, m.suppressed) for m, (path, line) in outcome] == [
        ("a.py", 11, "tok", None),
        ("conf/b.env", 3, "aws-id", None),
        ("d.py", 8, "tok", None),
    ]
    chunk = FakeChunk(b"\n".join(content for _, _, content in lines), [(p, n) for p, n, _ in lines])
    assert list(detector.scan_chunk(chunk)) == list(outcome)


def test_scan_lines_suppression_on_previous_line_of_same_file(detector: Detector) -> None:
    lines = [
        ("a.py", 1, b"# glasshouse:allow tok fixture"),
        ("a.py", 2, TOK.encode()),
        ("a.py", 5, b"# glasshouse:allow tok"),
        ("a.py", 6, TOK.encode() + b" "),
    ]
    outcome = detector.scan_lines(lines)
    assert [(m.line, m.suppressed) for m in outcome.matches] == [(2, "fixture"), (6, None)]
    assert outcome.suppression_errors == [("a.py", 5)]


def test_scan_lines_drops_matches_on_minified_lines(detector: Detector) -> None:
    bundle = ("function(a,b){return a+b};var x=" + repr(TOK) + ";") * 50
    outcome = detector.scan_lines([("dist/app.js", 1, bundle.encode()), ("b.py", 1, TOK.encode())])
    assert [(m.path, m.line) for m in outcome.matches] == [("b.py", 1)]
    assert outcome.skipped == {"dist/app.js": "minified"}


def test_match_across_two_files_of_a_chunk_is_dropped(detector: Detector) -> None:
    head, *body, tail = PEM.split("\n")
    lines = [("a.pem", 1, head.encode())]
    lines += [("a.pem", 2 + i, row.encode()) for i, row in enumerate(body)]
    assert [m.end_line for m in detector.scan_lines([*lines, ("a.pem", 9, tail.encode())]).matches]
    assert detector.scan_lines([*lines, ("b.pem", 1, tail.encode())]).matches == []


# -- the same results without Hyperscan, without RE2, and in a flood ---------------------------


def corpus() -> Iterator[tuple[str, bytes]]:
    rng = random.Random(11)
    yield "a.py", f"KEY = '{TOK}'\npassword = Xq7!pL2#vR9$mK4z\n".encode()
    yield "b.cfg", f"aws_access_key_id = {AWS_ID}\naws_private_key = {AWS_SECRET}\n".encode()
    yield "c.pem", f"{PEM}\n".encode()
    yield "d.txt", b"qkey='abcdef0123456789' num-123456789012 num-123456789013\n"
    yield "e.txt", b"zqabcdef\n" * 5000
    yield "f.sql", f"-- glasshouse:allow tok fixture\nSELECT '{TOK}';\n".encode()
    yield (
        "g.yml",
        b"password: ${DB}\nsecret: {{ x }}\napikey = 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n",
    )
    words = [b"def", b"return", b"token", b"self", b"x", b"=", b"(", b")", b"\n", b"tok_"]
    filler = b" ".join(rng.choice(words) for _ in range(20000))
    yield "h.py", filler + f"\n{TOK}\n".encode() + filler


def results(detector: Detector) -> list[tuple[str, str, str, int, int, int, str | None]]:
    out = []
    for path, data in corpus():
        for m in detector.scan(data, path).matches:
            out.append((path, m.rule.id, m.secret, m.line, m.column, m.end_line, m.suppressed))
    return out


@needs_hyperscan
def test_without_hyperscan_the_results_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = Detector(RULES, VALIDATORS, entropy)
    expected = results(fast)
    assert len(expected) >= 10
    monkeypatch.setattr(detector_module, "load_hyperscan", lambda: None)
    slow = Detector(RULES, VALIDATORS, entropy)
    assert slow.engine == "keywords"
    assert results(slow) == expected


def test_without_re2_the_results_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = results(Detector(RULES, VALIDATORS, entropy))
    monkeypatch.setattr(detector_module, "load_re2", lambda: None)
    plain = Detector(RULES, VALIDATORS, entropy)
    assert {engine for _, engine in plain.engines().values()} == {"re"}
    assert results(plain) == expected


@needs_hyperscan
def test_event_flood_gives_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = results(Detector(RULES, VALIDATORS, entropy))
    monkeypatch.setattr(detector_module, "FLOOD_EVENTS", 10)
    flooded = Detector(RULES, VALIDATORS, entropy)
    assert results(flooded) == expected
    # "noise" matched 5000 times in one line: the flood path was taken.
    assert sum(1 for r in expected if r[1] == "noise") == 5000


# -- speed -----------------------------------------------------------------------------------


VOCABULARY = (
    "def class return import from self None True False if else for in while try except "
    "with as lambda yield value result config token password secret key data = == ( ) "
    "[ ] { } : , . + - * / # ' \" 0 1 2 42 3.14 'text' \"string\""
)


@needs_hyperscan
def test_fifty_megabytes(detector: Detector) -> None:
    rng = random.Random(3)
    vocabulary = VOCABULARY.split()
    lines = [
        "    " * rng.randrange(4)
        + " ".join(rng.choice(vocabulary) for _ in range(rng.randrange(12)))
        for _ in range(5000)
    ]
    block = ("\n".join(lines) + "\n").encode()
    data = block * (50_000_000 // len(block) + 1)
    data = data[:50_000_000] + f"\nKEY = '{TOK}'\n".encode()
    megabytes = len(data) / 1e6
    big = Detector(RULES, VALIDATORS, entropy, max_bytes=len(data))

    assert big._prefilter is not None
    start = time.process_time()
    big._prefilter.events(data)
    prefilter = time.process_time() - start
    start = time.process_time()
    outcome = big.scan(data, "big.py")
    full = time.process_time() - start
    print(
        f"\n50 MB synthetic source: pre-filter {megabytes / prefilter:.0f} MB/s, "
        f"full pipeline {megabytes / full:.0f} MB/s ({full:.2f} CPU s, "
        f"{len(outcome.matches)} matches)"
    )
    assert found(outcome, "tok") == [("tok", TOK, data.count(b"\n"))]
    assert megabytes / full > 20  # the bar is far above this; a broken engine is not


def test_two_markers_on_one_line(detector: Detector) -> None:
    text = f"{TOK} # glasshouse:allow aws-id one glasshouse:allow tok two\n"
    [match] = scan(detector, text).matches
    assert match.suppressed == "one; two"
    outcome = scan(detector, f"{TOK} # glasshouse:allow tok fixture glasshouse:allow\n")
    assert [m.suppressed for m in outcome.matches] == ["fixture"]
    assert outcome.suppression_errors == [1]


@needs_hyperscan
def test_compiled_database_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Detector(RULES, VALIDATORS, entropy, cache_dir=tmp_path / "cache")
    files = sorted(p.suffix for p in (tmp_path / "cache").iterdir())
    assert files == [".db", ".json"]

    def no_compiling(self: object, pattern: bytes) -> str | None:
        raise AssertionError("compiled again despite the cache")

    monkeypatch.setattr(detector_module._Prefilter, "_mode", no_compiling)
    second = Detector(RULES, VALIDATORS, entropy, cache_dir=tmp_path / "cache")
    assert second.engines() == first.engines()
    assert results(second) == results(first)
    monkeypatch.undo()
    # Another rule set gets its own entry; a damaged entry is rebuilt.
    Detector(RULES[:3], VALIDATORS, entropy, cache_dir=tmp_path / "cache")
    assert len(list((tmp_path / "cache").iterdir())) == 4
    for path in (tmp_path / "cache").glob("*.db"):
        path.write_bytes(b"not a database")
    third = Detector(RULES, VALIDATORS, entropy, cache_dir=tmp_path / "cache")
    assert results(third) == results(first)
