"""Ed25519 keys: generate, write (private key 0600, never overwritten by accident), load.

Files are PEM: the private key as unencrypted PKCS#8, the public key as
SubjectPublicKeyInfo, so that ``openssl pkey`` and every DSSE or in-toto tool reads them.

A key's id (``keyid``) is the lowercase hex SHA-256 of its 32 raw public key bytes
(RFC 8032 encoding). DSSE signatures carry it as their ``keyid``; it is a hint for
picking the key, never trusted on its own (the signature is always verified).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PRIVATE_KEY_NAME = "glasshouse.key"
PUBLIC_KEY_NAME = "glasshouse.pub"
MAX_KEY_FILE_BYTES = 64 * 1024


class KeyFileError(Exception):
    """A key file that cannot be used: missing, unreadable, not Ed25519."""


def raw_public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """Lowercase hex SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(raw_public_bytes(key)).hexdigest()


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def keyid(self) -> str:
        return key_id(self.public)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


@dataclass(frozen=True)
class VerifyingKey:
    public: Ed25519PublicKey

    @property
    def keyid(self) -> str:
        return key_id(self.public)

    @property
    def raw(self) -> bytes:
        return raw_public_bytes(self.public)


def generate() -> SigningKey:
    return SigningKey(Ed25519PrivateKey.generate())


def private_pem(key: SigningKey) -> bytes:
    return key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(key: SigningKey | VerifyingKey) -> bytes:
    return key.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def write_key_pair(directory: Path, *, force: bool = False) -> tuple[Path, Path, SigningKey]:
    """Write DIR/glasshouse.key (mode 0600) and DIR/glasshouse.pub.

    Refuses to replace an existing file unless ``force``; then the new file is written
    beside it and renamed over it, so a crash leaves one key or the other, never half.
    """
    private_path = directory / PRIVATE_KEY_NAME
    public_path = directory / PUBLIC_KEY_NAME
    if not force:
        existing = [p for p in (private_path, public_path) if p.exists() or p.is_symlink()]
        if existing:
            names = ", ".join(str(p) for p in existing)
            raise KeyFileError(f"{names}: already exists (use --force to replace)")
    directory.mkdir(parents=True, exist_ok=True)
    key = generate()
    _write_new(private_path, private_pem(key), 0o600, replace=force)
    _write_new(public_path, public_pem(key), 0o644, replace=force)
    return private_path, public_path, key


def _write_new(path: Path, data: bytes, mode: int, *, replace: bool) -> None:
    target = path.with_name(f".{path.name}.tmp") if replace else path
    if replace and (target.exists() or target.is_symlink()):
        target.unlink()
    # O_EXCL: never follow a planted symlink nor open an existing file; the mode is set
    # at creation, so the private key is never readable by others, not even briefly.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    target.chmod(mode)  # against a umask that narrowed the public key's mode
    if replace:
        target.replace(path)


def _read(path: Path, what: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KeyFileError(f"{path}: too large to be a {what}")
    return data


def load_signing_key(path: Path) -> SigningKey:
    data = _read(path, "private key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise KeyFileError(
            f"{path}: the private key is encrypted; give an unencrypted one"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFileError(f"{path}: not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key ({type(key).__name__})")
    return SigningKey(key)


def load_verifying_key(path: Path) -> VerifyingKey:
    """A PEM public key; a PEM private key is refused (a verifier never needs one)."""
    data = _read(path, "public key")
    if b"PRIVATE KEY" in data:
        raise KeyFileError(f"{path}: this is a private key; give the public key (.pub)")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFileError(f"{path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: not an Ed25519 key ({type(key).__name__})")
    return VerifyingKey(key)


def too_open(path: Path) -> bool:
    """Whether a private key file is readable or writable by group or others."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRWXG | stat.S_IRWXO))
