"""DSSE, the Dead Simple Signing Envelope (secure-systems-lab/dsse, protocol v1).

The signature covers the Pre-Authentication Encoding of the payload type and the
payload, never the JSON around them:

    PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body

where LEN is the byte length in ASCII decimal without leading zeros. The envelope is
JSON: ``{"payload": base64, "payloadType": str, "signatures": [{"keyid", "sig"}]}``
(standard base64 is written; standard and URL-safe are both read, as DSSE asks).
Signatures are Ed25519 (RFC 8032) over the PAE bytes; ``keyid`` is the key's id from
``glasshouse.evidence.keys`` (hex SHA-256 of the raw public key).

Verification (``verify``) accepts an envelope when at least one signature verifies
with the trusted key. Signatures by other keys are ignored, as DSSE prescribes; but a
signature that names the trusted key's id and does not verify fails the envelope: it
is a forgery or damage, and either must be seen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature

from glasshouse.evidence._codec import DecodeError, b64decode, b64encode
from glasshouse.evidence.keys import SigningKey, VerifyingKey

MAX_ENVELOPE_BYTES = 32 * 1024 * 1024


class EnvelopeError(ValueError):
    """Not a DSSE envelope, or one whose signatures do not hold; the message says which."""


def pae(payload_type: str, payload: bytes) -> bytes:
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(type_bytes), type_bytes, len(payload), payload)


@dataclass(frozen=True, slots=True)
class Signature:
    keyid: str  # "" when the signer gave none
    sig: bytes


@dataclass(frozen=True, slots=True)
class Envelope:
    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "payload": b64encode(self.payload),
            "payloadType": self.payload_type,
            "signatures": [_signature_dict(s) for s in self.signatures],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def signed_by(self, key: SigningKey) -> Envelope:
        """This envelope with one more signature, by ``key`` (a counter-signature too)."""
        signature = Signature(key.keyid, key.sign(pae(self.payload_type, self.payload)))
        return Envelope(self.payload_type, self.payload, (*self.signatures, signature))


def _signature_dict(signature: Signature) -> dict[str, str]:
    data = {"keyid": signature.keyid} if signature.keyid else {}
    data["sig"] = b64encode(signature.sig)
    return data


def sign(payload_type: str, payload: bytes, key: SigningKey) -> Envelope:
    return Envelope(payload_type, payload).signed_by(key)


def from_dict(data: object) -> Envelope:
    if not isinstance(data, dict):
        raise EnvelopeError("not a DSSE envelope: expected a JSON object")
    for name in ("payload", "payloadType", "signatures"):
        if name not in data:
            raise EnvelopeError(f"not a DSSE envelope: no {name!r}")
    payload_type = data["payloadType"]
    if not isinstance(payload_type, str) or not payload_type:
        raise EnvelopeError("envelope: payloadType must be a non-empty string")
    try:
        payload = b64decode(data["payload"], "envelope payload")
    except DecodeError as exc:
        raise EnvelopeError(str(exc)) from None
    raw_signatures = data["signatures"]
    if not isinstance(raw_signatures, list):
        raise EnvelopeError("envelope: signatures must be a list")
    signatures = []
    for number, raw in enumerate(raw_signatures, 1):
        if not isinstance(raw, dict):
            raise EnvelopeError(f"envelope: signature {number} is not an object")
        keyid = raw.get("keyid", "")
        if not isinstance(keyid, str):
            raise EnvelopeError(f"envelope: signature {number}: keyid must be a string")
        try:
            sig = b64decode(raw.get("sig"), f"envelope: signature {number}")
        except DecodeError as exc:
            raise EnvelopeError(str(exc)) from None
        signatures.append(Signature(keyid, sig))
    return Envelope(payload_type, payload, tuple(signatures))


def from_json(data: bytes) -> Envelope:
    if len(data) > MAX_ENVELOPE_BYTES:
        raise EnvelopeError(f"envelope larger than {MAX_ENVELOPE_BYTES >> 20} MiB")
    try:
        parsed = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EnvelopeError(f"not a DSSE envelope: not valid JSON ({exc})") from None
    return from_dict(parsed)


@dataclass(frozen=True, slots=True)
class Verified:
    """An envelope whose signature by ``keyid`` holds, and what was ignored."""

    payload_type: str
    payload: bytes
    keyid: str
    ignored: int  # signatures by other keys, neither trusted nor held against it


def verify(envelope: Envelope, key: VerifyingKey) -> Verified:
    """The envelope's payload, if ``key`` signed it; EnvelopeError naming the fault."""
    if not envelope.signatures:
        raise EnvelopeError("the envelope carries no signature")
    message = pae(envelope.payload_type, envelope.payload)
    keyid = key.keyid
    good = 0
    ignored = 0
    for number, signature in enumerate(envelope.signatures, 1):
        if signature.keyid and signature.keyid != keyid:
            ignored += 1
            continue
        try:
            key.public.verify(signature.sig, message)
        except InvalidSignature:
            if signature.keyid:
                raise EnvelopeError(
                    f"signature {number} names key {keyid[:16]}... but does not verify: "
                    "the payload, its type or the signature was changed"
                ) from None
            ignored += 1  # an anonymous signature by some other key
            continue
        good += 1
    if not good:
        raise EnvelopeError(
            f"no signature by key {keyid[:16]}... ({len(envelope.signatures)} signature(s) "
            "by other keys)"
        )
    return Verified(envelope.payload_type, envelope.payload, keyid, ignored)
