"""The built-in secret rule catalogue: ``rules/*.toml`` read into :class:`Rule` objects.

Each TOML file holds one family of rules (cloud, source hosting, chat...). A file has
optional family-wide keys and an array of ``[[rule]]`` tables::

    family = "cloud"                 # informative
    allow = ["..."]                  # placeholders quiet for every rule of the family
    decoys = ["..."]                 # text that no rule of the catalogue may report

    [[rule]]
    id = "aws-access-key-id"
    title = "AWS access key ID with its secret access key"
    severity = "critical"
    pattern = '''...'''               # the secret is the named group ``secret``
    keywords = ["akia"]
    entropy = 3.0
    allow = ["EXAMPLE$"]
    validator = "github-crc32"      # a key of VALIDATORS
    requires = "aws-secret-access-key"
    window = 5
    fix = "..."
    examples_b64 = ["..."]          # base64 of texts in which the rule must find its secret
    decoys = ["..."]                # texts in which it must find nothing
    decoys_b64 = ["..."]            # decoys shaped like real tokens (a wrong checksum...)

Examples are stored base64-encoded so that the repository never holds a matching token
in clear: neither Glasshouse scanning itself nor a hosting provider's push protection
trips over the catalogue. Examples are fake (random characters of the right length,
alphabet and checksum); encode one with
``python -c 'import base64,sys; print(base64.b64encode(sys.stdin.buffer.read()).decode())'``.
The loader validates every field and names the file and rule of any error.

Patterns use the syntax common to Python ``re``, RE2 and Hyperscan and are matched over
a whole file, not line by line: private keys, service-account JSON, ``.netrc``,
``.pypirc`` and ``settings.xml`` rules span lines.

Also here: :func:`shannon_entropy` and the checksum and structure validators named by
rules (:data:`VALIDATORS`), shared with the detector.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import tomllib
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from glasshouse.model import Severity
from glasshouse.secrets.rule import Rule

__all__ = [
    "COMMON_ALLOW",
    "VALIDATORS",
    "CatalogueError",
    "check_catalogue",
    "load_rules",
    "parse_rules",
    "shannon_entropy",
]

RULES_PACKAGE = "glasshouse.secrets"
RULES_DIR = "rules"

# Placeholders that no rule reports, whatever its format: they are merged into every
# rule's ``allow``. Each is matched against the candidate secret only.
COMMON_ALLOW: tuple[str, ...] = (
    r"(?i)example",  # AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    r"(?i)x{5,}",  # xxxxxxxx, XXXXXXXX
    r"\*{3,}",  # *** (redacted)
    r"\.{3,}",  # ghp_... (elided)
    r"<[^<>]*>",  # <your-token>, <password>
    r"\$\{[^}]*\}",  # ${VAR}
    r"\{\{[^}]*\}\}",  # {{ secrets.X }}
    r"\{[A-Za-z_][A-Za-z0-9_.]*\}",  # {password}, {self.token} (format strings)
    r"(?i)changeme|change[_-]me|placeholder|redacted|dummy|fake|notreal|not[_-]a[_-]real",
    r"(?i)(?:your|my|insert|replace|enter)[_-](?:own[_-])?(?:api[_-]?)?(?:key|token|secret|pass)",
    r"(?i)[_-]here$",  # password_here, your_token_here
    r"^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$",  # $VAR, ${VAR}
    r"^(?:cGFzc3dvcmQ|dXNlcm5hbWU6cGFzc3dvcmQ|dXNlcjpwYXNzd29yZA)=*$",  # base64 placeholders
    r"(?i)^(?:sekrit|s3cr3t|hunter2|passw0rd|p@ssw0rd|letmein|opensesame|secret123|password123)$",
)

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_RULE_KEYS = frozenset(
    {
        "id",
        "title",
        "severity",
        "pattern",
        "keywords",
        "entropy",
        "allow",
        "validator",
        "requires",
        "window",
        "fix",
        "examples_b64",
        "decoys",
        "decoys_b64",
    }
)
_FILE_KEYS = frozenset({"family", "allow", "decoys", "rule"})
_SEVERITIES = {s.label: s for s in Severity if s is not Severity.UNKNOWN}


class CatalogueError(ValueError):
    """A rule file that cannot be used: the message names the file and the rule."""


# ---------------------------------------------------------------------------- entropy


def shannon_entropy(s: str) -> float:
    """Shannon entropy of ``s`` in bits per character (0.0 for the empty string)."""
    if not s:
        return 0.0
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


# ------------------------------------------------------------------------- validators

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _encode(n: int, alphabet: str, width: int) -> str:
    base = len(alphabet)
    digits = ""
    while n:
        n, r = divmod(n, base)
        digits = alphabet[r] + digits
    return digits.rjust(width, alphabet[0])


def _crc32(text: str) -> int:
    return zlib.crc32(text.encode("ascii", "replace"))


def base62_crc32_ok(token: str) -> bool:
    """GitHub-style tokens (``ghp_``, ``gho_``, ``ghu_``, ``ghs_``, ``ghr_``, ``npm_``).

    The 36 characters after the prefix are 30 random base62 characters and the CRC32
    (zlib/IEEE) of those 30 characters, base62-encoded with the alphabet ``0-9A-Za-z``
    and left-padded with ``0`` to 6 characters. The prefix is not part of the checksum.
    """
    body = token.rpartition("_")[2]
    if len(body) != 36 or not body.isascii() or not body.isalnum():
        return False
    return _encode(_crc32(body[:30]), _BASE62, 6) == body[30:]


def atlassian_crc32_ok(token: str) -> bool:
    """Atlassian API tokens (``ATATT3…=XXXXXXXX``) and Bitbucket app passwords and
    access tokens (``ATBB…``, ``ATCTT3…``): the last 8 characters are the CRC32 of
    everything before them, as upper-case hexadecimal."""
    if len(token) < 9:
        return False
    return f"{_crc32(token[:-8]):08X}" == token[-8:]


def gitlab_routable_crc32_ok(token: str) -> bool:
    """GitLab tokens. Routable ones (``glpat-<base64url>.01.<len><crc>``) end with the
    length of the base64 payload in base 36 (2 characters) and the CRC32 of everything
    before the checksum in base 36 (7 characters); the payload's last byte is the size of
    its routing part. Legacy tokens (without the ``.01.`` part) carry no checksum."""
    head, dot, tail = token.rpartition(".")
    if not dot:
        return True  # legacy format: nothing to verify
    if len(tail) != 9 or not head.endswith(".01"):
        return False
    length, crc = tail[:2], tail[2:]
    if _encode(_crc32(token[:-7]), _BASE36, 7) != crc:
        return False
    stem = head[: -len(".01")]
    try:
        size = int(length, 36)
        payload = stem[-size:] if 0 < size < len(stem) else ""
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (ValueError, binascii.Error):
        return False
    return len(raw) > 17 and raw[-1] == len(raw) - 17


def _b64decode(text: str, *, urlsafe: bool) -> bytes | None:
    text = text.strip()
    padded = text + "=" * (-len(text) % 4)
    try:
        if urlsafe:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (ValueError, binascii.Error):
        return None


def _json_object(data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def jwt_structure_ok(token: str) -> bool:
    """A signed JWT: three base64url parts, a JSON header with an ``alg`` other than
    ``none``, a JSON object payload and a non-empty signature."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return False
    header = _json_object(_b64decode(parts[0], urlsafe=True))
    payload = _json_object(_b64decode(parts[1], urlsafe=True))
    signature = _b64decode(parts[2], urlsafe=True)
    if header is None or payload is None or not signature:
        return False
    alg = header.get("alg")
    return isinstance(alg, str) and alg.strip().lower() not in ("", "none")


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _macaroon_v2_ok(data: bytes) -> bool:
    """The binary (v2) macaroon layout: version byte 2; a section holding the location
    and the identifier; one section per caveat; an empty section; a 32-byte signature."""
    if len(data) < 40 or data[0] != 2:
        return False
    pos, sections = 1, 0
    fields: list[int] = []
    try:
        while True:
            field_type, pos = _read_varint(data, pos)
            if field_type == 0:  # end of a section; an empty one ends the caveats
                if not fields:
                    break
                if sections == 0 and 2 not in fields:
                    return False  # the first section must carry the identifier
                sections, fields = sections + 1, []
                continue
            length, pos = _read_varint(data, pos)
            pos += length
            if pos > len(data):
                return False
            fields.append(field_type)
        field_type, pos = _read_varint(data, pos)
        length, pos = _read_varint(data, pos)
    except ValueError:
        return False
    return sections >= 1 and field_type == 6 and length == 32 and pos + length <= len(data)


def pypi_macaroon_ok(token: str) -> bool:
    """PyPI API tokens: ``pypi-`` and a base64url macaroon (v2 binary format) whose
    location is ``pypi.org`` or ``test.pypi.org``."""
    prefix, _, body = token.partition("-")
    data = _b64decode(body, urlsafe=True) if prefix == "pypi" and body else None
    if data is None or not _macaroon_v2_ok(data) or data[1] != 1:
        return False
    location = data[3 : 3 + data[2]]
    return location in (b"pypi.org", b"test.pypi.org")


def basic_auth_base64_ok(value: str) -> bool:
    """Base64 of ``user:password`` (HTTP Basic, ``.dockercfg`` ``auth``, ``.npmrc``
    ``_auth``) with a printable user and a non-empty password."""
    data = _b64decode(value, urlsafe=False)
    if data is None:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    user, colon, password = text.partition(":")
    return bool(colon and user and password) and text.isprintable()


def base64_text_ok(value: str) -> bool:
    """Base64 that decodes to printable UTF-8 (``.npmrc`` ``_password``)."""
    data = _b64decode(value, urlsafe=False)
    if not data:
        return False
    try:
        return data.decode("utf-8").isprintable()
    except UnicodeDecodeError:
        return False


def base64_pem_private_key_ok(value: str) -> bool:
    """Base64 of a PEM private key (Kubernetes ``tls.key``, kubeconfig
    ``client-key-data``): decodes to a ``-----BEGIN … PRIVATE KEY-----`` block."""
    data = _b64decode(value, urlsafe=False)
    if data is None:
        return False
    head = data[:64]
    return head.startswith(b"-----BEGIN ") and b"PRIVATE KEY" in head


def discord_bot_token_ok(token: str) -> bool:
    """Discord bot tokens: the first part is the base64 of the bot's numeric user ID."""
    first = token.partition(".")[0]
    data = _b64decode(first, urlsafe=True)
    return data is not None and data.isdigit() and 15 <= len(data) <= 21


def sentry_org_token_ok(token: str) -> bool:
    """Sentry organization tokens: ``sntrys_`` + base64 of a JSON object naming the
    organization and its URL + ``_`` + the secret."""
    body = token.removeprefix("sntrys_")
    payload, sep, secret = body.rpartition("_")
    if not sep or len(secret) < 20:
        return False
    claims = _json_object(_b64decode(payload, urlsafe=False))
    return claims is not None and "org" in claims and "url" in claims


def artifactory_reference_token_ok(token: str) -> bool:
    """JFrog reference tokens: base64 of ``reftkn:01:<expiry>:<random>``."""
    data = _b64decode(token, urlsafe=False)
    return data is not None and data.startswith(b"reftkn:")


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: Iterable[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, g in enumerate(generator):
            chk ^= g if (top >> i) & 1 else 0
    return chk


def age_bech32_ok(key: str) -> bool:
    """age identities (``AGE-SECRET-KEY-1…``): a valid Bech32 checksum (BIP 173)."""
    text = key.lower()
    hrp, sep, data = text.rpartition("1")
    if not sep or not hrp or len(data) < 7 or any(c not in _BECH32 for c in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    values += [_BECH32.index(c) for c in data]
    return _bech32_polymod(values) == 1


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "github-crc32": base62_crc32_ok,
    "npm-crc32": base62_crc32_ok,
    "atlassian-crc32": atlassian_crc32_ok,
    "gitlab-routable-crc32": gitlab_routable_crc32_ok,
    "jwt-structure": jwt_structure_ok,
    "pypi-macaroon": pypi_macaroon_ok,
    "basic-auth-base64": basic_auth_base64_ok,
    "base64-text": base64_text_ok,
    "base64-pem-private-key": base64_pem_private_key_ok,
    "discord-bot-token": discord_bot_token_ok,
    "sentry-org-token": sentry_org_token_ok,
    "artifactory-reference-token": artifactory_reference_token_ok,
    "age-bech32": age_bech32_ok,
}


# ----------------------------------------------------------------------------- loading


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _decoded(value: object, where: str, key: str) -> tuple[str, ...]:
    texts: list[str] = []
    for i, encoded in enumerate(_strings(value, where, key)):
        try:
            texts.append(base64.b64decode(encoded, validate=True).decode("utf-8"))
        except (binascii.Error, ValueError):
            raise CatalogueError(f"{where}: {key}[{i}] is not base64 of UTF-8 text") from None
    return tuple(texts)


def _compiles(pattern: str, where: str, key: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise CatalogueError(f"{where}: {key} does not compile: {exc}") from None


def _rule(
    raw: Mapping[str, Any],
    source: str,
    family_allow: tuple[str, ...],
    family_decoys: tuple[str, ...],
) -> Rule:
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise CatalogueError(f"{source}: rule id {rule_id!r} is missing or not kebab-case")
    where = f"{source}: rule {rule_id!r}"
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {unknown}")

    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise CatalogueError(f"{where}: 'title' must be a non-empty string")
    severity_name = raw.get("severity")
    if severity_name not in _SEVERITIES:
        raise CatalogueError(
            f"{where}: 'severity' must be one of {sorted(_SEVERITIES)}, not {severity_name!r}"
        )
    pattern = raw.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise CatalogueError(f"{where}: 'pattern' must be a non-empty string")
    _compiles(pattern, where, "pattern")

    keywords = _strings(raw.get("keywords", []), where, "keywords")
    for keyword in keywords:
        if not keyword or keyword != keyword.lower():
            raise CatalogueError(f"{where}: keyword {keyword!r} must be non-empty lowercase")

    entropy = raw.get("entropy")
    if entropy is not None:
        if isinstance(entropy, bool) or not isinstance(entropy, int | float):
            raise CatalogueError(f"{where}: 'entropy' must be a number")
        if not 0 < entropy <= 8:
            raise CatalogueError(f"{where}: 'entropy' must be in (0, 8] bits per character")
        entropy = float(entropy)

    allow = _strings(raw.get("allow", []), where, "allow")
    for i, item in enumerate(allow):
        _compiles(item, where, f"allow[{i}]")

    validator = raw.get("validator")
    if validator is not None and validator not in VALIDATORS:
        raise CatalogueError(
            f"{where}: unknown validator {validator!r} (known: {sorted(VALIDATORS)})"
        )
    requires = raw.get("requires")
    if requires is not None and (not isinstance(requires, str) or not _ID.match(requires)):
        raise CatalogueError(f"{where}: 'requires' must be a rule id")
    window = raw.get("window", 5)
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise CatalogueError(f"{where}: 'window' must be a non-negative integer")
    fix = raw.get("fix")
    if fix is not None and (not isinstance(fix, str) or not fix.strip()):
        raise CatalogueError(f"{where}: 'fix' must be a non-empty string")

    examples = _decoded(raw.get("examples_b64", []), where, "examples_b64")
    decoys = (
        _strings(raw.get("decoys", []), where, "decoys")
        + _decoded(raw.get("decoys_b64", []), where, "decoys_b64")
        + family_decoys
    )

    merged_allow = tuple(dict.fromkeys((*allow, *family_allow, *COMMON_ALLOW)))
    extra: dict[str, Any] = {} if fix is None else {"fix": fix.strip()}
    return Rule(
        id=rule_id,
        title=title.strip(),
        severity=_SEVERITIES[severity_name],
        pattern=pattern,
        keywords=keywords,
        entropy=entropy,
        allow=merged_allow,
        validator=validator,
        requires=requires,
        window=window,
        examples=examples,
        decoys=tuple(dict.fromkeys(decoys)),
        **extra,
    )


def parse_rule(raw: Mapping[str, Any], source: str) -> Rule:
    """One rule table from a project's configuration (``[[secrets.rule]]``): the same
    checks as the catalogue; keywords are optional (a rule without them is matched
    everywhere, which Hyperscan makes affordable)."""
    return _rule(raw, source, (), ())


def parse_rules(text: str, source: str) -> tuple[Rule, ...]:
    """The rules of one TOML document; ``source`` names it in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(document) - _FILE_KEYS)
    if unknown:
        raise CatalogueError(f"{source}: unknown top-level keys {unknown}")
    family_allow = _strings(document.get("allow", []), source, "allow")
    for i, item in enumerate(family_allow):
        _compiles(item, source, f"allow[{i}]")
    family_decoys = _strings(document.get("decoys", []), source, "decoys")
    raw_rules = document.get("rule", [])
    if not isinstance(raw_rules, list) or not all(isinstance(r, dict) for r in raw_rules):
        raise CatalogueError(f"{source}: 'rule' must be an array of tables ([[rule]])")
    return tuple(_rule(raw, source, family_allow, family_decoys) for raw in raw_rules)


def check_catalogue(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    """Cross-rule checks: ids are unique and every ``requires`` names a rule."""
    result = tuple(rules)
    seen: set[str] = set()
    for rule in result:
        if rule.id in seen:
            raise CatalogueError(f"rule id {rule.id!r} is defined twice")
        seen.add(rule.id)
    for rule in result:
        if rule.requires is not None and rule.requires not in seen:
            raise CatalogueError(f"rule {rule.id!r}: requires unknown rule {rule.requires!r}")
        if rule.requires == rule.id:
            raise CatalogueError(f"rule {rule.id!r}: requires itself")
    return result


def rule_files() -> list[Traversable]:
    """The packaged rule files, in name order."""
    directory = resources.files(RULES_PACKAGE).joinpath(RULES_DIR)
    return sorted(
        (f for f in directory.iterdir() if f.name.endswith(".toml") and f.is_file()),
        key=lambda f: f.name,
    )


@cache
def load_rules() -> tuple[Rule, ...]:
    """Every built-in rule, validated; read once per process."""
    rules: list[Rule] = []
    for file in rule_files():
        rules.extend(parse_rules(file.read_text(encoding="utf-8"), f"rules/{file.name}"))
    if not rules:
        raise CatalogueError("no rule files found in glasshouse/secrets/rules")
    return check_catalogue(rules)
