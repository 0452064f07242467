"""C2SP signed notes (https://c2sp.org/signed-note), Ed25519 signatures only.

A note is UTF-8 text ending in a newline, a blank line, then signature lines::

    <text, ending with "\\n">
    (blank line)
    — <key name> <base64(key hash[4] || Ed25519 signature[64])>

The line starts with U+2014 (em dash) and a space. The signature covers the text
including its final newline. The key hash binds a signature to a (name, key) pair:
the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte public key), 0x01
being the Ed25519 signature type. A verifier key is written
``<name>+<hex key hash>+<base64(0x01 || public key)>``.

Opening a note checks every signature line by a key the caller trusts: one that fails
rejects the note; lines by unknown keys are ignored; at least one must verify.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from glasshouse.evidence._codec import DecodeError, b64decode, b64encode
from glasshouse.evidence.keys import SigningKey, VerifyingKey

ED25519_TYPE = b"\x01"
SIGNATURE_PREFIX = "\u2014 "
MAX_NOTE_BYTES = 1 << 20
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A malformed note, or one whose signature does not hold; the message says which."""


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise NoteError(f"invalid key name {name!r}: non-empty, no spaces, no '+'")


def key_hash(name: str, public_raw: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519_TYPE + public_raw).digest()[:4]


@dataclass(frozen=True)
class NoteSigner:
    name: str
    key: SigningKey

    def __post_init__(self) -> None:
        _check_name(self.name)

    @property
    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, VerifyingKey(self.key.public))

    def signature_line(self, text: str) -> str:
        raw = self.verifier.key.raw
        sig = self.key.sign(text.encode("utf-8"))
        return f"{SIGNATURE_PREFIX}{self.name} {b64encode(key_hash(self.name, raw) + sig)}\n"


@dataclass(frozen=True)
class NoteVerifier:
    name: str
    key: VerifyingKey

    def __post_init__(self) -> None:
        _check_name(self.name)

    @property
    def hash(self) -> bytes:
        return key_hash(self.name, self.key.raw)

    def vkey(self) -> str:
        """The verifier key in the text form other tools (Go's note package) read."""
        return f"{self.name}+{self.hash.hex()}+{b64encode(ED25519_TYPE + self.key.raw)}"


def parse_vkey(text: str) -> NoteVerifier:
    parts = text.strip().split("+", 2)  # the base64 key may hold "+" too
    if len(parts) != 3:
        raise NoteError("a verifier key reads <name>+<hex key hash>+<base64 key>")
    name, hash_hex, encoded = parts
    try:
        raw = b64decode(encoded, "verifier key")
    except DecodeError as exc:
        raise NoteError(str(exc)) from None
    if len(raw) != 33 or raw[:1] != ED25519_TYPE:
        raise NoteError("the verifier key is not an Ed25519 key (type 0x01, 32 bytes)")
    verifier = NoteVerifier(name, VerifyingKey(Ed25519PublicKey.from_public_bytes(raw[1:])))
    if verifier.hash.hex() != hash_hex.lower():
        raise NoteError("the verifier key's hash does not match its name and key")
    return verifier


def check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("a note's text must end with a newline")
    if "\n\n" in text:
        raise NoteError("a note's text must not contain a blank line")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("a note's text must not contain control characters")


def sign(text: str, *signers: NoteSigner) -> str:
    check_text(text)
    return text + "\n" + "".join(s.signature_line(text) for s in signers)


@dataclass(frozen=True)
class OpenedNote:
    text: str
    verified_by: tuple[str, ...]  # names of the trusted keys whose signature held
    unverified: int  # signature lines by keys the caller does not know


def split(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """(text, [(name, key hash, signature)]) without checking any signature."""
    if len(note.encode("utf-8")) > MAX_NOTE_BYTES:
        raise NoteError("the note is too large")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    check_text(text)
    if not block.endswith("\n"):
        raise NoteError("malformed note: the last signature line does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("the note has too many signatures")
    signatures = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"malformed signature line {line[:40]!r}: it must start with '\u2014 '")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        try:
            _check_name(name)
            raw = b64decode(encoded, "note signature")
        except (NoteError, DecodeError) as exc:
            raise NoteError(f"malformed signature line: {exc}") from None
        if len(raw) < 5:
            raise NoteError("malformed signature line: too short")
        signatures.append((name, raw[:4], raw[4:]))
    return text, signatures


def open_note(note: str, verifiers: tuple[NoteVerifier, ...]) -> OpenedNote:
    text, signatures = split(note)
    known = {(v.name, v.hash): v for v in verifiers}
    verified: list[str] = []
    unverified = 0
    for name, hash_, sig in signatures:
        verifier = known.get((name, hash_))
        if verifier is None:
            unverified += 1
            continue
        try:
            verifier.key.public.verify(sig, text.encode("utf-8"))
        except InvalidSignature:
            raise NoteError(
                f"the signature by {name} does not verify: the note was changed"
            ) from None
        verified.append(name)
    if not verified:
        names = ", ".join(sorted({v.name for v in verifiers})) or "none"
        raise NoteError(f"no signature by a trusted key (trusted: {names})")
    return OpenedNote(text, tuple(verified), unverified)
