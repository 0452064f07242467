"""Transparency log checkpoints (https://c2sp.org/tlog-checkpoint).

A checkpoint is a signed note whose text is::

    <origin>               a unique name for the log, e.g. glasshouse.example/log
    <tree size>            decimal, no leading zeros
    <root hash>            standard base64 of the RFC 6962 root at that size
    [extension lines]      opaque, optional, non-empty

The log's key name is its origin, so the key hash in each signature line binds the
signature to this log and this key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from glasshouse.evidence._codec import DecodeError, b64decode, b64encode
from glasshouse.evidence.keys import SigningKey, VerifyingKey
from glasshouse.evidence.merkle import HASH_SIZE
from glasshouse.evidence.note import NoteError, NoteSigner, NoteVerifier, open_note, sign, split

_SIZE = re.compile(r"^(0|[1-9][0-9]*)$")


class CheckpointError(ValueError):
    """A malformed checkpoint, or one the trusted log key did not sign."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "".join(f"{line}\n" for line in lines)


def parse_text(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise CheckpointError("a checkpoint has at least three lines: origin, size, root hash")
    origin, size, root, *extensions = lines[:-1]
    if not origin:
        raise CheckpointError("the checkpoint's origin is empty")
    if not _SIZE.match(size):
        raise CheckpointError(f"the checkpoint's tree size {size!r} is not a decimal number")
    try:
        root_hash = b64decode(root, "checkpoint root hash")
    except DecodeError as exc:
        raise CheckpointError(str(exc)) from None
    if len(root_hash) != HASH_SIZE:
        raise CheckpointError("the checkpoint's root hash is not 32 bytes")
    if any(not line for line in extensions):
        raise CheckpointError("a checkpoint's extension line is empty")
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, key: SigningKey) -> str:
    """The signed note, signed by the log's key under the name of its origin."""
    try:
        return sign(checkpoint.text(), NoteSigner(checkpoint.origin, key))
    except NoteError as exc:
        raise CheckpointError(f"cannot sign the checkpoint: {exc}") from None


def peek(note: str) -> Checkpoint:
    """The checkpoint in a note, WITHOUT checking its signature (to pick a key, say)."""
    try:
        text, _ = split(note)
    except NoteError as exc:
        raise CheckpointError(f"not a signed checkpoint: {exc}") from None
    return parse_text(text)


def open_checkpoint(note: str, key: VerifyingKey, origin: str | None = None) -> Checkpoint:
    """The checkpoint, if signed by ``key`` under its own origin (and that origin is
    ``origin`` when one is given); CheckpointError naming the fault otherwise."""
    claimed = peek(note)
    if origin is not None and claimed.origin != origin:
        raise CheckpointError(f"the checkpoint is from log {claimed.origin!r}, not {origin!r}")
    try:
        opened = open_note(note, (NoteVerifier(claimed.origin, key),))
    except NoteError as exc:
        raise CheckpointError(f"checkpoint signature: {exc}") from None
    return parse_text(opened.text)


def open_checkpoint_with(note: str, verifier: NoteVerifier) -> Checkpoint:
    """The checkpoint, if signed by this named verifier key (its name is the origin)."""
    claimed = peek(note)
    if claimed.origin != verifier.name:
        raise CheckpointError(
            f"the checkpoint is from log {claimed.origin!r}, not {verifier.name!r}"
        )
    try:
        opened = open_note(note, (verifier,))
    except NoteError as exc:
        raise CheckpointError(f"checkpoint signature: {exc}") from None
    return parse_text(opened.text)
