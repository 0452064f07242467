"""Interoperability: securesystemslib's DSSE implementation reads what we sign, and we
read what it signs (test-only dependency; none of its code is in src/)."""

from __future__ import annotations

import copy

import pytest
from securesystemslib import exceptions as sslib_exceptions
from securesystemslib.dsse import Envelope as SslibEnvelope
from securesystemslib.signer import CryptoSigner, SSlibKey

from glasshouse.evidence import dsse, keys

from .helpers import public

PAYLOAD_TYPE = "application/vnd.in-toto+json"
PAYLOAD = b'{"_type":"https://in-toto.io/Statement/v1","subject":[]}'


def sslib_key(key: keys.SigningKey) -> SSlibKey:
    # Same key id on both sides: securesystemslib matches signatures to keys by key id.
    return SSlibKey.from_crypto(key.public, keyid=key.keyid)


def test_ours_signs_theirs_verifies(signer: keys.SigningKey) -> None:
    ours = dsse.sign(PAYLOAD_TYPE, PAYLOAD, signer)
    theirs = SslibEnvelope.from_dict(copy.deepcopy(ours.to_dict()))
    assert theirs.payload == PAYLOAD
    assert theirs.pae() == dsse.pae(PAYLOAD_TYPE, PAYLOAD)
    accepted = theirs.verify([sslib_key(signer)], threshold=1)
    assert list(accepted) == [signer.keyid]


def test_theirs_signs_ours_verifies(signer: keys.SigningKey) -> None:
    theirs = SslibEnvelope(PAYLOAD, PAYLOAD_TYPE, {})
    theirs.sign(CryptoSigner(signer.private, sslib_key(signer)))
    ours = dsse.from_dict(theirs.to_dict())
    verified = dsse.verify(ours, public(signer))
    assert verified.payload == PAYLOAD
    assert verified.payload_type == PAYLOAD_TYPE


def test_their_signature_over_a_changed_payload_fails_here(signer: keys.SigningKey) -> None:
    theirs = SslibEnvelope(PAYLOAD, PAYLOAD_TYPE, {})
    theirs.sign(CryptoSigner(signer.private, sslib_key(signer)))
    data = theirs.to_dict()
    changed = dsse.from_dict(data)
    changed = dsse.Envelope(changed.payload_type, changed.payload + b" ", changed.signatures)
    with pytest.raises(dsse.EnvelopeError):
        dsse.verify(changed, public(signer))


def test_our_signature_over_a_changed_payload_fails_there(signer: keys.SigningKey) -> None:
    ours = dsse.sign(PAYLOAD_TYPE, PAYLOAD, signer)
    changed = dsse.Envelope(PAYLOAD_TYPE, PAYLOAD.replace(b"[]", b"[1]"), ours.signatures)
    theirs = SslibEnvelope.from_dict(changed.to_dict())
    with pytest.raises(sslib_exceptions.VerificationError):
        theirs.verify([sslib_key(signer)], threshold=1)
