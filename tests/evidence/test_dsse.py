"""DSSE: PAE as the protocol defines it, round trips, and every tamper named."""

from __future__ import annotations

import base64
import json

import pytest

from glasshouse.evidence import dsse, keys

from .helpers import public

PAYLOAD_TYPE = "application/vnd.in-toto+json"


def test_pae_matches_the_protocol_examples() -> None:
    # From the DSSE protocol: PAE("http://example.com/HelloWorld", "hello world")
    assert dsse.pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert dsse.pae("", b"") == b"DSSEv1 0  0 "
    assert dsse.pae("t\u00e9", b"\x00") == b"DSSEv1 3 t\xc3\xa9 1 \x00"


def test_round_trip(signer: keys.SigningKey) -> None:
    envelope = dsse.sign(PAYLOAD_TYPE, b'{"hello": "world"}', signer)
    parsed = dsse.from_json(envelope.to_json().encode())
    assert parsed == envelope
    verified = dsse.verify(parsed, public(signer))
    assert verified.payload == b'{"hello": "world"}'
    assert verified.keyid == signer.keyid
    data = json.loads(envelope.to_json())
    assert set(data) == {"payload", "payloadType", "signatures"}
    assert data["signatures"][0]["keyid"] == signer.keyid


def _tampered(envelope: dsse.Envelope, **changes: object) -> dsse.Envelope:
    data = envelope.to_dict()
    data.update(changes)
    return dsse.from_dict(data)


def test_every_flipped_payload_byte_breaks_the_signature(signer: keys.SigningKey) -> None:
    payload = b'{"verificationResult":"FAILED"}'
    envelope = dsse.sign(PAYLOAD_TYPE, payload, signer)
    for position in range(len(payload)):
        flipped = bytearray(payload)
        flipped[position] ^= 0x01
        changed = dsse.Envelope(PAYLOAD_TYPE, bytes(flipped), envelope.signatures)
        with pytest.raises(dsse.EnvelopeError, match="does not verify"):
            dsse.verify(changed, public(signer))


def test_a_changed_payload_type_breaks_the_signature(signer: keys.SigningKey) -> None:
    envelope = dsse.sign(PAYLOAD_TYPE, b"{}", signer)
    changed = _tampered(envelope, payloadType="application/json")
    with pytest.raises(dsse.EnvelopeError, match="its type or the signature was changed"):
        dsse.verify(changed, public(signer))


def test_the_wrong_key_is_refused(signer: keys.SigningKey, other_signer: keys.SigningKey) -> None:
    envelope = dsse.sign(PAYLOAD_TYPE, b"{}", signer)
    with pytest.raises(dsse.EnvelopeError, match="no signature by key"):
        dsse.verify(envelope, public(other_signer))


def test_a_forged_signature_under_the_right_key_id_is_refused(
    signer: keys.SigningKey, other_signer: keys.SigningKey
) -> None:
    forged = dsse.sign(PAYLOAD_TYPE, b"{}", other_signer)
    claimed = dsse.Envelope(
        PAYLOAD_TYPE, b"{}", (dsse.Signature(signer.keyid, forged.signatures[0].sig),)
    )
    with pytest.raises(dsse.EnvelopeError, match="does not verify"):
        dsse.verify(claimed, public(signer))


def test_an_extra_signature_by_another_key_is_ignored(
    signer: keys.SigningKey, other_signer: keys.SigningKey
) -> None:
    envelope = dsse.sign(PAYLOAD_TYPE, b"{}", signer).signed_by(other_signer)
    assert len(envelope.signatures) == 2
    verified = dsse.verify(envelope, public(signer))
    assert verified.ignored == 1
    both = dsse.verify(envelope, public(other_signer))
    assert both.ignored == 1


def test_a_missing_signature_is_refused(signer: keys.SigningKey) -> None:
    envelope = dsse.sign(PAYLOAD_TYPE, b"{}", signer)
    with pytest.raises(dsse.EnvelopeError, match="no signature"):
        dsse.verify(_tampered(envelope, signatures=[]), public(signer))


def test_a_signature_without_key_id_is_tried_with_the_key(signer: keys.SigningKey) -> None:
    envelope = dsse.sign(PAYLOAD_TYPE, b"{}", signer)
    anonymous = dsse.Envelope(
        PAYLOAD_TYPE, b"{}", (dsse.Signature("", envelope.signatures[0].sig),)
    )
    assert dsse.verify(anonymous, public(signer)).ignored == 0


def test_url_safe_base64_is_read(signer: keys.SigningKey) -> None:
    payload = bytes(range(256))  # base64 of this needs '+' and '/'
    envelope = dsse.sign("application/octet-stream", payload, signer)
    data = envelope.to_dict()
    data["payload"] = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    assert dsse.verify(dsse.from_dict(data), public(signer)).payload == payload


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"[]", "expected a JSON object"),
        (b"{", "not valid JSON"),
        (b'{"payloadType": "x", "signatures": []}', "no 'payload'"),
        (b'{"payload": "!!", "payloadType": "x", "signatures": []}', "not valid base64"),
        (b'{"payload": "", "payloadType": "", "signatures": []}', "payloadType"),
        (b'{"payload": "", "payloadType": "x", "signatures": {}}', "signatures must be a list"),
        (b'{"payload": "", "payloadType": "x", "signatures": ["x"]}', "is not an object"),
        (b'{"payload": "", "payloadType": "x", "signatures": [{"sig": 1}]}', "base64"),
    ],
)
def test_malformed_envelopes_are_named(document: bytes, message: str) -> None:
    with pytest.raises(dsse.EnvelopeError, match=message):
        dsse.from_json(document)
