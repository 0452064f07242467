"""Redaction: previews show at most eight characters of a secret; hashes are keyed,
stable across runs and machines, and change with the key."""

from __future__ import annotations

import random
import string

import pytest

from glasshouse.secrets.redact import (
    BUILTIN_HASH_KEY,
    ELLIPSIS,
    HASH_KEY_VARIABLE,
    hash_key,
    preview,
    secret_hash,
)

GITHUB = "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef1234"
RSA_BODY = "\n".join(
    "".join(random.Random(n).choices(string.ascii_letters + string.digits + "+/", k=64))
    for n in range(25)
)
RSA = f"-----BEGIN RSA PRIVATE KEY-----\n{RSA_BODY}\n-----END RSA PRIVATE KEY-----\n"


def test_preview_of_a_token() -> None:
    assert preview(GITHUB) == f"ghp_{ELLIPSIS}1234 (40 chars)"


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ("0123456789abcdef", f"0123{ELLIPSIS}cdef (16 chars)"),
        ("0123456789abcde", f"01{ELLIPSIS}de (15 chars)"),
        ("hunter22", f"hu{ELLIPSIS}22 (8 chars)"),
        ("hunter2", "****"),
        ("x", "****"),
        ("", "****"),
    ],
)
def test_preview_by_length(secret: str, expected: str) -> None:
    assert preview(secret) == expected


def test_preview_never_shows_more_than_eight_characters() -> None:
    rng = random.Random(5)
    alphabet = string.ascii_letters + string.digits + "+/=_-"
    for size in range(1, 120):
        secret = "".join(rng.choices(alphabet, k=size))
        text = preview(secret)
        shown = text.split(" (")[0].replace(ELLIPSIS, "")
        assert len(shown.replace("*", "")) <= 8
        assert len(shown.replace("*", "")) <= len(secret) // 2
        if size >= 8:
            keep = len(shown) // 2
            assert shown == secret[:keep] + secret[-keep:]
        assert secret not in text


def test_multiline_private_key_shows_only_its_header() -> None:
    text = preview(RSA)
    assert text == f"-----BEGIN RSA PRIVATE KEY----- {ELLIPSIS} ({len(RSA)} chars)"
    for row in RSA_BODY.split("\n"):
        assert row[:4] not in text.replace("-----BEGIN RSA PRIVATE KEY-----", "")


def test_multiline_secret_without_a_header_shows_nothing_of_it() -> None:
    body = RSA_BODY  # a key's body captured without its armour
    assert preview(body) == f"{ELLIPSIS} ({len(body)} chars)"
    # A first line that only looks like a header but carries more is not shown either.
    fake = "-----BEGIN X----- abcdEFGH\nmore\n"
    assert preview(fake) == f"{ELLIPSIS} ({len(fake)} chars)"


def test_putty_header_is_shown() -> None:
    key = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nAAAA\n"
    assert preview(key) == f"PuTTY-User-Key-File-3: ssh-ed25519 {ELLIPSIS} ({len(key)} chars)"


def test_control_characters_are_not_shown() -> None:
    assert preview("\x1b[31mabcdefghijklmnop") == f"?[31{ELLIPSIS}mnop (21 chars)"


def test_hash_is_stable_across_runs_and_machines() -> None:
    # Pinned: a change here changes every secret's fingerprint, baseline and waiver.
    assert (
        secret_hash(GITHUB, BUILTIN_HASH_KEY)
        == "947c29999dfbb5f3ed83812212642d71b72d2531fec6378d0de6d7b1251685d5"
    )
    assert secret_hash(GITHUB, hash_key({})) == secret_hash(GITHUB, BUILTIN_HASH_KEY)


def test_hash_depends_on_key_and_secret() -> None:
    first = secret_hash(GITHUB, b"org-a")
    assert first != secret_hash(GITHUB, b"org-b")
    assert first != secret_hash(GITHUB, BUILTIN_HASH_KEY)
    assert first != secret_hash(GITHUB[:-1] + "5", b"org-a")
    assert len(first) == 64
    assert GITHUB not in first


def test_hash_key_from_the_environment() -> None:
    assert hash_key({HASH_KEY_VARIABLE: "our own key"}) == b"our own key"
    assert hash_key({HASH_KEY_VARIABLE: ""}) == BUILTIN_HASH_KEY
    assert hash_key({"OTHER": "x"}) == BUILTIN_HASH_KEY


def test_secrets_with_undecodable_bytes_hash() -> None:
    # The detector decodes with backslashreplace; lone surrogates must not crash either.
    assert len(secret_hash("caf\\xe9-\udcff", BUILTIN_HASH_KEY)) == 64
