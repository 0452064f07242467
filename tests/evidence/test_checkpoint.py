"""C2SP signed notes and tlog checkpoints: a known answer, and every tamper refused."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from glasshouse.evidence import checkpoint, keys, note

from .helpers import public

# The signed-note example of Go's golang.org/x/mod/sumdb/note documentation (and the
# C2SP signed-note implementations that follow it): a known answer for the key hash,
# the verifier key encoding and the signature line (Ed25519 is deterministic).
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIGNATURE = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
    "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def peter() -> note.NoteSigner:
    seed = base64.b64decode(PETER_SKEY.split("+", 4)[4])[1:]
    return note.NoteSigner(
        "PeterNeumann", keys.SigningKey(Ed25519PrivateKey.from_private_bytes(seed))
    )


def test_signed_note_known_answer() -> None:
    signer = peter()
    assert signer.verifier.vkey() == PETER_VKEY
    signed = note.sign(PETER_TEXT, signer)
    assert signed == PETER_TEXT + "\n" + PETER_SIGNATURE
    opened = note.open_note(signed, (note.parse_vkey(PETER_VKEY),))
    assert opened.text == PETER_TEXT
    assert opened.verified_by == ("PeterNeumann",)


def test_unknown_signers_are_ignored_but_one_trusted_is_needed(
    signer: keys.SigningKey, other_signer: keys.SigningKey
) -> None:
    ours = note.NoteSigner("log.example/a", signer)
    theirs = note.NoteSigner("witness.example", other_signer)
    signed = note.sign("hello\n", ours, theirs)
    opened = note.open_note(signed, (ours.verifier,))
    assert opened.unverified == 1
    with pytest.raises(note.NoteError, match="no signature by a trusted key"):
        note.open_note(note.sign("hello\n", theirs), (ours.verifier,))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no newline", "must end with a newline"),
        ("a\n\nb\n", "blank line"),
        ("tab\there\n", "control characters"),
    ],
)
def test_bad_note_texts_are_refused(text: str, message: str, signer: keys.SigningKey) -> None:
    with pytest.raises(note.NoteError, match=message):
        note.sign(text, note.NoteSigner("n", signer))


@pytest.mark.parametrize("name", ["", "has space", "a+b"])
def test_bad_key_names_are_refused(name: str, signer: keys.SigningKey) -> None:
    with pytest.raises(note.NoteError, match="invalid key name"):
        note.NoteSigner(name, signer)


def _checkpoint_note(signer: keys.SigningKey, size: int = 5, root: bytes = b"\x07" * 32) -> str:
    return checkpoint.sign_checkpoint(
        checkpoint.Checkpoint("glasshouse.test/log", size, root), signer
    )


def test_checkpoint_format(signer: keys.SigningKey) -> None:
    signed = _checkpoint_note(signer, 20852163, bytes(range(32)))
    lines = signed.split("\n")
    assert lines[0] == "glasshouse.test/log"
    assert lines[1] == "20852163"
    assert base64.b64decode(lines[2]) == bytes(range(32))
    assert lines[3] == ""
    assert lines[4].startswith("\u2014 glasshouse.test/log ")
    opened = checkpoint.open_checkpoint(signed, public(signer), "glasshouse.test/log")
    assert (opened.size, opened.root) == (20852163, bytes(range(32)))


def test_the_spec_example_parses() -> None:
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    parsed = checkpoint.parse_text(text)
    assert parsed.origin == "example.com/behind-the-sofa"
    assert parsed.size == 20852163
    assert parsed.text() == text


def test_a_changed_size_or_root_breaks_the_signature(signer: keys.SigningKey) -> None:
    signed = _checkpoint_note(signer, 5, b"\x07" * 32)
    lines = signed.split("\n")
    bigger = "\n".join([lines[0], "6", *lines[2:]])
    with pytest.raises(checkpoint.CheckpointError, match="does not verify"):
        checkpoint.open_checkpoint(bigger, public(signer))
    other_root = base64.b64encode(b"\x08" * 32).decode()
    rerooted = "\n".join([lines[0], lines[1], other_root, *lines[3:]])
    with pytest.raises(checkpoint.CheckpointError, match="does not verify"):
        checkpoint.open_checkpoint(rerooted, public(signer))


def test_a_checkpoint_from_another_key_or_log_is_refused(
    signer: keys.SigningKey, other_signer: keys.SigningKey
) -> None:
    signed = _checkpoint_note(other_signer)
    with pytest.raises(checkpoint.CheckpointError, match="no signature by a trusted key"):
        checkpoint.open_checkpoint(signed, public(signer))
    mine = _checkpoint_note(signer)
    with pytest.raises(checkpoint.CheckpointError, match=r"not 'other\.test/log'"):
        checkpoint.open_checkpoint(mine, public(signer), "other.test/log")
    # the same key signing under another origin: the key hash binds the name
    renamed = mine.replace("glasshouse.test/log\n", "other.test/log\n", 1)
    with pytest.raises(checkpoint.CheckpointError, match="no signature by a trusted key"):
        checkpoint.open_checkpoint(renamed, public(signer))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("origin\n5\n", "at least three lines"),
        ("\n5\nAAAA\n", "origin is empty"),
        ("o\n05\n" + "A" * 43 + "=\n", "not a decimal number"),
        ("o\n-1\n" + "A" * 43 + "=\n", "not a decimal number"),
        ("o\n5\nAAAA\n", "not 32 bytes"),
        ("o\n5\n!!!!\n", "base64"),
    ],
)
def test_malformed_checkpoints_are_named(text: str, message: str) -> None:
    with pytest.raises(checkpoint.CheckpointError, match=message):
        checkpoint.parse_text(text)


def test_verifier_key_round_trip(signer: keys.SigningKey) -> None:
    verifier = note.NoteSigner("glasshouse.test/log", signer).verifier
    parsed = note.parse_vkey(verifier.vkey())
    assert parsed.key.keyid == signer.keyid
    assert parsed.name == "glasshouse.test/log"
    wrong_hash = verifier.vkey().replace(verifier.hash.hex(), "00000000")
    with pytest.raises(note.NoteError, match="hash does not match"):
        note.parse_vkey(wrong_hash)
