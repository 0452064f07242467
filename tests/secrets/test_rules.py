"""The shared rule-example test: every built-in secret rule against its own examples and
decoys, independent of the detector engine.

A tiny reference matcher lives here (not in src): pattern -> ``secret`` group ->
entropy floor -> allow list -> validator -> ``requires`` within ``window`` lines. Each
example must yield an accepted finding of its rule; no decoy may yield an accepted
finding of any rule. The patterns must also compile with RE2 (and find the same
secrets) and with Hyperscan, in SOM mode or at least as a pre-filter.
"""

from __future__ import annotations

import base64
import json
import re
import tomllib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from glasshouse.model import Severity
from glasshouse.secrets.catalogue import (
    COMMON_ALLOW,
    VALIDATORS,
    CatalogueError,
    check_catalogue,
    load_rules,
    parse_rules,
    rule_files,
    shannon_entropy,
)
from glasshouse.secrets.rule import Rule

RULES = load_rules()
BY_ID = {rule.id: rule for rule in RULES}
ROOT = Path(__file__).resolve().parents[2]

FAMILY_FILES = (
    "ai.toml",
    "chat.toml",
    "cloud.toml",
    "config_files.toml",
    "generic.toml",
    "keys.toml",
    "messaging.toml",
    "payments.toml",
    "registries.toml",
    "saas.toml",
    "source_hosting.toml",
    "urls.toml",
)

# The coverage issue #3 asks for, one rule id (at least) per required format.
REQUIRED_RULE_IDS = (
    # cloud
    "aws-access-key-id",
    "aws-secret-access-key",
    "gcp-service-account-key",
    "gcp-api-key",
    "azure-storage-account-key",
    "azure-storage-connection-string",
    "azure-ad-client-secret",
    "digitalocean-pat",
    "digitalocean-oauth-token",
    "digitalocean-refresh-token",
    "heroku-api-key",
    "heroku-api-key-legacy",
    "alibaba-access-key-id",
    "ibm-cloud-api-key",
    # source hosting
    "github-pat-classic",
    "github-fine-grained-pat",
    "github-server-to-server-token",
    "github-user-to-server-token",
    "github-oauth-token",
    "github-refresh-token",
    "gitlab-pat",
    "gitlab-deploy-token",
    "gitlab-runner-token",
    "gitlab-pipeline-trigger-token",
    "gitlab-runner-registration-token",
    "bitbucket-app-password",
    # chat
    "slack-bot-token",
    "slack-user-token",
    "slack-legacy-workspace-token",
    "slack-app-token",
    "slack-webhook",
    "discord-bot-token",
    "discord-webhook",
    "telegram-bot-token",
    "teams-incoming-webhook",
    # payments
    "stripe-secret-key",
    "stripe-restricted-key",
    "stripe-test-secret-key",
    "square-access-token",
    "square-legacy-access-token",
    "square-oauth-secret",
    "braintree-access-token",
    "adyen-api-key",
    # mail and messaging
    "sendgrid-api-key",
    "mailgun-api-key",
    "mailchimp-api-key",
    "twilio-api-key",
    "postmark-server-token",
    # package registries
    "npm-access-token",
    "pypi-upload-token",
    "rubygems-api-key",
    "nuget-api-key",
    "dockerhub-pat",
    "artifactory-api-key",
    "artifactory-reference-token",
    # observability and SaaS
    "datadog-api-key",
    "datadog-app-key",
    "newrelic-user-api-key",
    "newrelic-insert-key",
    "sentry-org-token",
    "sentry-dsn-secret",
    "pagerduty-api-key",
    "atlassian-api-token",
    "okta-api-token",
    "shopify-access-token",
    "shopify-custom-app-token",
    "shopify-private-app-token",
    "shopify-shared-secret",
    "linear-api-key",
    "notion-integration-token",
    "notion-legacy-secret",
    "airtable-pat",
    "doppler-personal-token",
    "doppler-service-token",
    "vault-service-token",
    "vault-batch-token",
    "vault-legacy-token",
    "pulumi-access-token",
    "terraform-cloud-token",
    # AI APIs
    "openai-project-key",
    "openai-legacy-key",
    "anthropic-api-key",
    "huggingface-token",
    "cohere-api-key",
    "replicate-api-token",
    # private keys and JWTs
    "pem-rsa-private-key",
    "pem-ec-private-key",
    "pem-dsa-private-key",
    "openssh-private-key",
    "pkcs8-private-key",
    "pkcs8-encrypted-private-key",
    "pgp-private-key-block",
    "putty-private-key",
    "jwt",
    # URLs with a password
    "postgres-url",
    "mysql-url",
    "mongodb-url",
    "redis-url",
    "amqp-url",
    "mssql-url",
    "ldap-url",
    # credential files
    "netrc-password",
    "pypirc-password",
    "npmrc-auth-token",
    "npmrc-auth",
    "npmrc-password",
    "docker-config-auth",
    # generic
    "generic-secret-assignment",
    "generic-password-assignment",
)

# Patterns Hyperscan cannot compile with start-of-match tracking: the engine must use
# them as a pre-filter (HS_FLAG_PREFILTER) and confirm each hit with RE2. Keep this list
# exact, so that a change in the catalogue or in Hyperscan is noticed. It is empty:
# every pattern compiles in SOM mode, because gaps are written unbounded (``[\w.-]*``,
# ``{20,}``), which Hyperscan's SOM mode handles; small bounded gaps (``{0,40}``) made
# patterns "too large" for it, or slow to compile.
HYPERSCAN_PREFILTER_ONLY: frozenset[str] = frozenset()


# --------------------------------------------------------------------- reference matcher


@dataclass(frozen=True)
class Hit:
    rule_id: str
    secret: str
    line: int


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _secret(match: re.Match[str]) -> str | None:
    if "secret" in match.re.groupindex:
        value: str | None = match.group("secret")
        return value
    return match.group(0)


def raw_secrets(rule: Rule, text: str) -> list[tuple[str, int]]:
    """Pattern and ``secret`` group only: (secret, offset) of every match."""
    found = []
    for match in compiled(rule.pattern).finditer(text):
        secret = _secret(match)
        if secret:
            start = match.start("secret") if "secret" in match.re.groupindex else match.start()
            found.append((secret, start))
    return found


def accepted(rule: Rule, secret: str) -> bool:
    if rule.entropy is not None and shannon_entropy(secret) < rule.entropy:
        return False
    if any(compiled(allow).search(secret) for allow in rule.allow):
        return False
    return rule.validator is None or VALIDATORS[rule.validator](secret)


def candidates(rule: Rule, text: str) -> list[Hit]:
    """Keyword pre-filter, pattern, entropy, allow list and validator (no ``requires``)."""
    lowered = text.lower()
    if rule.keywords and not any(keyword in lowered for keyword in rule.keywords):
        return []
    return [
        Hit(rule.id, secret, text.count("\n", 0, offset) + 1)
        for secret, offset in raw_secrets(rule, text)
        if accepted(rule, secret)
    ]


@cache
def scan(text: str, rule_ids: tuple[str, ...] | None = None) -> tuple[Hit, ...]:
    """Accepted findings of the given rules (all by default) in ``text``."""
    rules = RULES if rule_ids is None else tuple(BY_ID[i] for i in rule_ids)
    hits: list[Hit] = []
    for rule in rules:
        found = candidates(rule, text)
        if found and rule.requires is not None:
            partners = candidates(BY_ID[rule.requires], text)
            found = [h for h in found if any(abs(p.line - h.line) <= rule.window for p in partners)]
        hits.extend(found)
    return tuple(hits)


def describe(hits: Iterable[Hit]) -> list[tuple[str, int, str]]:
    """What a failure shows: rule, line and a masked preview (never the whole secret)."""
    return [(h.rule_id, h.line, h.secret[:6] + "…" + h.secret[-2:]) for h in hits]


# -------------------------------------------------------------------------- catalogue


def test_catalogue_has_at_least_120_rules_with_unique_kebab_case_ids() -> None:
    assert len(RULES) >= 120
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids)


def test_every_required_format_has_its_rule() -> None:
    missing = [i for i in REQUIRED_RULE_IDS if i not in BY_ID]
    assert missing == []


def test_every_family_file_is_packaged_and_holds_rules() -> None:
    names = {f.name for f in rule_files()}
    assert names == set(FAMILY_FILES)
    for file in rule_files():
        assert parse_rules(file.read_text(encoding="utf-8"), file.name), file.name


def test_pyproject_packages_the_rule_files() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]["glasshouse"]
    assert "secrets/rules/*.toml" in package_data


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_complete(rule: Rule) -> None:
    assert rule.title.strip()
    assert rule.severity is not Severity.UNKNOWN
    assert rule.examples, "at least one example that must match"
    assert rule.decoys, "at least one decoy that must not match"
    assert rule.keywords, "built-in rules carry keywords for the pre-filter"
    assert all(k == k.lower() and k for k in rule.keywords)
    assert "secret" in compiled(rule.pattern).groupindex
    if rule.requires is not None:
        assert rule.requires in BY_ID
        assert rule.requires != rule.id
    if rule.validator is not None:
        assert rule.validator in VALIDATORS
    assert set(COMMON_ALLOW) <= set(rule.allow)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_keywords_occur_in_every_example(rule: Rule) -> None:
    """The pre-filter must never drop a true positive."""
    for i, example in enumerate(rule.examples):
        assert any(k in example.lower() for k in rule.keywords), f"example {i}"


# ------------------------------------------------------------------ examples and decoys


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_examples_are_found(rule: Rule) -> None:
    for i, example in enumerate(rule.examples):
        hits = [h for h in scan(example) if h.rule_id == rule.id]
        assert hits, f"example {i} of {rule.id} yields no accepted finding"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_decoys_are_quiet_for_every_rule(rule: Rule) -> None:
    for i, decoy in enumerate(rule.decoys):
        assert describe(scan(decoy)) == [], f"decoy {i} of {rule.id}: {decoy!r}"


@pytest.mark.parametrize("rule", [r for r in RULES if r.validator], ids=lambda r: r.id)
def test_validator_accepts_every_example(rule: Rule) -> None:
    assert rule.validator is not None
    validate = VALIDATORS[rule.validator]
    for i, example in enumerate(rule.examples):
        assert any(validate(s) for s, _ in raw_secrets(rule, example)), f"example {i}"


# Every token of these formats carries a checksum (GitLab's only in its routable format,
# so only its personal access token rule, whose examples include one, is held to this).
CHECKSUMS = ("github-crc32", "npm-crc32", "atlassian-crc32", "age-bech32")


@pytest.mark.parametrize(
    "rule",
    [r for r in RULES if r.validator in CHECKSUMS or r.id == "gitlab-pat"],
    ids=lambda r: r.id,
)
def test_checksum_rules_have_a_wrong_checksum_decoy(rule: Rule) -> None:
    """A decoy shaped exactly like a token, quiet only because its checksum is wrong."""
    assert rule.validator is not None
    validate = VALIDATORS[rule.validator]
    shaped = [
        secret
        for decoy in rule.decoys
        for secret, _ in raw_secrets(rule, decoy)
        if (rule.entropy is None or shannon_entropy(secret) >= rule.entropy)
        and not any(compiled(a).search(secret) for a in rule.allow)
    ]
    assert shaped, "no decoy with the token's exact shape"
    assert not any(validate(s) for s in shaped)


@pytest.mark.parametrize("rule", [r for r in RULES if r.requires], ids=lambda r: r.id)
def test_requires_is_enforced(rule: Rule) -> None:
    """Without its partner rule's match, a ``requires`` rule stays quiet."""
    assert rule.requires is not None
    partner = BY_ID[rule.requires]
    for example in rule.examples:
        alone = "\n".join(
            line for line in example.splitlines() if not candidates(partner, line + "\n")
        )
        assert [h for h in scan(alone + "\n") if h.rule_id == rule.id] == []


def test_catalogue_files_and_this_test_do_not_trip_the_catalogue() -> None:
    """Examples are stored base64-encoded: scanning our own sources finds nothing."""
    texts = {f.name: f.read_text(encoding="utf-8") for f in rule_files()}
    texts["test_rules.py"] = Path(__file__).read_text(encoding="utf-8")
    texts["catalogue.py"] = (ROOT / "src/glasshouse/secrets/catalogue.py").read_text("utf-8")
    for name, text in texts.items():
        assert describe(scan(text)) == [], name


# ------------------------------------------------------------------------- engines


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_re2_compiles_and_agrees_with_re(rule: Rule) -> None:
    re2 = pytest.importorskip("re2", reason="google-re2 is a runtime dependency")
    pattern = re2.compile(rule.pattern)
    for allow in rule.allow:
        re2.compile(allow)
    for example in (*rule.examples, *rule.decoys):
        expected = [s for s, _ in raw_secrets(rule, example)]
        got = [m.group("secret") for m in pattern.finditer(example) if m.group("secret")]
        assert got == expected


def _hyperscan_compiles(hyperscan: Any, pattern: str, flags: int) -> bool:
    try:
        hyperscan.Database().compile(expressions=[pattern.encode()], flags=[flags])
    except hyperscan.error:
        return False
    return True


@pytest.fixture(scope="module")
def hyperscan_database() -> Any:
    """All patterns in one database, each in SOM mode unless listed as pre-filter only."""
    hyperscan = pytest.importorskip("hyperscan", reason="hyperscan is a runtime dependency")
    som = hyperscan.HS_FLAG_SOM_LEFTMOST | hyperscan.HS_FLAG_UTF8
    prefilter = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_UTF8
    flags = []
    for rule in RULES:
        if rule.id in HYPERSCAN_PREFILTER_ONLY:
            assert not _hyperscan_compiles(hyperscan, rule.pattern, som), (
                f"{rule.id} now compiles in SOM mode: remove it from HYPERSCAN_PREFILTER_ONLY"
            )
            assert _hyperscan_compiles(hyperscan, rule.pattern, prefilter), rule.id
            flags.append(prefilter)
        else:
            assert _hyperscan_compiles(hyperscan, rule.pattern, som), (
                f"{rule.id} does not compile in Hyperscan SOM mode"
            )
            flags.append(som)
    database = hyperscan.Database()
    database.compile(
        expressions=[rule.pattern.encode() for rule in RULES],
        ids=list(range(len(RULES))),
        flags=flags,
    )
    return database


def _collect(rule_index: int, start: int, end: int, flags: int, fired: set[int]) -> None:
    fired.add(rule_index)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_hyperscan_finds_every_example(rule: Rule, hyperscan_database: Any) -> None:
    index = RULES.index(rule)
    for i, example in enumerate(rule.examples):
        fired: set[int] = set()
        hyperscan_database.scan(example.encode(), match_event_handler=_collect, context=fired)
        assert index in fired, f"Hyperscan misses example {i} of {rule.id}"


# ------------------------------------------------------------------------- validators


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _github_style(prefix: str, random_part: str) -> str:
    """An independent encoder: CRC32 of the 30 random characters, base62, 6 wide."""
    n, digits = zlib.crc32(random_part.encode()), ""
    while n:
        n, r = divmod(n, 62)
        digits = _BASE62[r] + digits
    return prefix + random_part + digits.rjust(6, "0")


@pytest.mark.parametrize("prefix", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"])
def test_base62_crc32(prefix: str) -> None:
    token = _github_style(prefix, "0pQ7zR3sT9uV1wX5yZ2aB4cD6eF8gH")
    assert VALIDATORS["github-crc32"](token)
    assert VALIDATORS["npm-crc32"](token)
    tampered = token[:10] + ("a" if token[10] != "a" else "b") + token[11:]
    assert not VALIDATORS["github-crc32"](tampered)
    assert not VALIDATORS["github-crc32"](token[:-1])


def test_atlassian_crc32() -> None:
    body = "ATBB" + "q7Lm2Nx8Rt4Vw9Yz3Bc6Df1G"
    token = body + f"{zlib.crc32(body.encode()):08X}"
    assert VALIDATORS["atlassian-crc32"](token)
    assert not VALIDATORS["atlassian-crc32"](token[:-1] + ("0" if token[-1] != "0" else "1"))


def test_jwt_structure() -> None:
    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    signed = ".".join([part({"alg": "HS256"}), part({"sub": "1"}), "c2lnbmF0dXJlLWJ5dGVz"])
    assert VALIDATORS["jwt-structure"](signed)
    assert not VALIDATORS["jwt-structure"](signed.replace(part({"alg": "HS256"}), part({})))
    assert not VALIDATORS["jwt-structure"](".".join([part({"alg": "none"}), part({}), "c2ln"]))
    not_json = ".".join([part({"alg": "HS256"}), "bm90LWpzb24", "c2ln"])
    assert not VALIDATORS["jwt-structure"](not_json)
    assert not VALIDATORS["jwt-structure"](signed.rsplit(".", 1)[0] + ".")


def test_basic_auth_and_pem_validators() -> None:
    encode = base64.b64encode
    assert VALIDATORS["basic-auth-base64"](encode(b"deploy:s3cr3t").decode())
    assert not VALIDATORS["basic-auth-base64"](encode(b"no-colon-here").decode())
    assert not VALIDATORS["basic-auth-base64"](encode(b"user:").decode())
    pem = encode(b"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n").decode()
    assert VALIDATORS["base64-pem-private-key"](pem)
    cert = encode(b"-----BEGIN CERTIFICATE-----\nMIIC\n").decode()
    assert not VALIDATORS["base64-pem-private-key"](cert)


def test_pypi_macaroon_rejects_other_locations_and_garbage() -> None:
    assert not VALIDATORS["pypi-macaroon"]("pypi-" + "A" * 80)
    fake = base64.urlsafe_b64encode(b"\x02\x01\x0bexample.org" + bytes(60)).decode()
    assert not VALIDATORS["pypi-macaroon"]("pypi-" + fake)


def test_shannon_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("ab") == pytest.approx(1.0)
    assert shannon_entropy("0123456789abcdef") == pytest.approx(4.0)


# ---------------------------------------------------------------------------- loader

GOOD = """
[[rule]]
id = "demo-token"
title = "Demo token"
severity = "high"
pattern = '(?P<secret>demo_[a-z]{8})'
keywords = ["demo_"]
examples_b64 = ["ZGVtb19hYmNkZWZnaA=="]
decoys = ["demo_"]
"""


def test_parse_rules_reads_a_minimal_rule() -> None:
    (rule,) = parse_rules(GOOD, "demo.toml")
    assert rule.id == "demo-token"
    assert rule.severity is Severity.HIGH
    assert rule.examples == ("demo_abcdefgh",)
    assert rule.window == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('id = "demo-token"', 'id = "Demo_Token"'), "kebab-case"),
        (('severity = "high"', 'severity = "severe"'), "severity"),
        (("pattern = '(?P<secret>demo_[a-z]{8})'", "pattern = '(?P<secret>demo_[a-z'"), "compile"),
        (('keywords = ["demo_"]', 'keywords = ["Demo_"]'), "lowercase"),
        (('examples_b64 = ["ZGVtb19hYmNkZWZnaA=="]', 'examples_b64 = ["@@"]'), "base64"),
        (('decoys = ["demo_"]', 'decoys = ["demo_"]\nvalidator = "luhn"'), "validator"),
        (('decoys = ["demo_"]', 'decoys = ["demo_"]\nentropy = 9'), "entropy"),
        (('decoys = ["demo_"]', 'decoys = ["demo_"]\ncolour = "red"'), "unknown keys"),
        (('title = "Demo token"', "title = 1"), "title"),
    ],
)
def test_parse_rules_names_file_and_rule_in_errors(change: tuple[str, str], message: str) -> None:
    text = GOOD.replace(*change)
    with pytest.raises(CatalogueError, match=message) as error:
        parse_rules(text, "demo.toml")
    assert str(error.value).startswith("demo.toml")


def test_parse_rules_rejects_broken_toml() -> None:
    with pytest.raises(CatalogueError, match=r"^broken\.toml: not valid TOML"):
        parse_rules("[[rule]\n", "broken.toml")


def test_catalogue_checks_duplicates_and_requires() -> None:
    (rule,) = parse_rules(GOOD, "demo.toml")
    with pytest.raises(CatalogueError, match="defined twice"):
        check_catalogue([rule, rule])
    (needy,) = parse_rules(GOOD.replace('decoys = ["demo_"]', 'requires = "nope"'), "x.toml")
    with pytest.raises(CatalogueError, match="requires unknown rule 'nope'"):
        check_catalogue([needy])
