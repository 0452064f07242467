"""Key files: the private key is 0600, never replaced by accident, and read back exactly."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from glasshouse.evidence import keys


def test_generate_writes_a_private_key_only_its_owner_reads(tmp_path: Path) -> None:
    private, public, key = keys.write_key_pair(tmp_path / "k")
    assert private.name == "glasshouse.key"
    assert public.name == "glasshouse.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert not keys.too_open(private)
    loaded = keys.load_signing_key(private)
    assert loaded.keyid == key.keyid == keys.load_verifying_key(public).keyid
    assert b"BEGIN PRIVATE KEY" in private.read_bytes()
    assert b"BEGIN PUBLIC KEY" in public.read_bytes()


def test_key_id_is_the_sha256_of_the_raw_public_key(tmp_path: Path) -> None:
    key = keys.generate()
    raw = key.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert key.keyid == hashlib.sha256(raw).hexdigest()


def test_existing_keys_are_never_overwritten_without_force(tmp_path: Path) -> None:
    _, _, first = keys.write_key_pair(tmp_path)
    before = (tmp_path / "glasshouse.key").read_bytes()
    with pytest.raises(keys.KeyFileError, match="already exists"):
        keys.write_key_pair(tmp_path)
    assert (tmp_path / "glasshouse.key").read_bytes() == before
    _, _, second = keys.write_key_pair(tmp_path, force=True)
    assert second.keyid != first.keyid
    assert keys.load_signing_key(tmp_path / "glasshouse.key").keyid == second.keyid
    assert stat.S_IMODE((tmp_path / "glasshouse.key").stat().st_mode) == 0o600


def test_a_planted_symlink_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("do not touch")
    (tmp_path / "glasshouse.key").symlink_to(target)
    with pytest.raises(keys.KeyFileError, match="already exists"):
        keys.write_key_pair(tmp_path)
    assert target.read_text() == "do not touch"


def test_bad_key_files_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pub"
    with pytest.raises(keys.KeyFileError, match="cannot read"):
        keys.load_verifying_key(missing)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    with pytest.raises(keys.KeyFileError, match="not a PEM public key"):
        keys.load_verifying_key(garbage)
    with pytest.raises(keys.KeyFileError, match="not a PEM private key"):
        keys.load_signing_key(garbage)
    private, _, _ = keys.write_key_pair(tmp_path / "pair")
    with pytest.raises(keys.KeyFileError, match="private key"):
        keys.load_verifying_key(private)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_file = tmp_path / "ec.pub"
    ec_file.write_bytes(
        ec_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(keys.KeyFileError, match="not an Ed25519 key"):
        keys.load_verifying_key(ec_file)


def test_a_group_readable_private_key_is_reported(tmp_path: Path) -> None:
    private, _, _ = keys.write_key_pair(tmp_path)
    private.chmod(0o644)
    assert keys.too_open(private)
