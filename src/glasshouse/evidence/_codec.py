"""Small encodings shared by the evidence formats: base64 and canonical JSON."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any


class DecodeError(ValueError):
    """Input that is not what the format says it must be."""


def b64encode(data: bytes) -> str:
    """Standard base64 (RFC 4648 section 4), with padding."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: object, what: str) -> bytes:
    """Standard or URL-safe base64 (DSSE accepts both), strictly: no stray characters."""
    if not isinstance(text, str):
        raise DecodeError(f"{what}: expected a base64 string, not {type(text).__name__}")
    normalized = text.replace("-", "+").replace("_", "/")
    padded = normalized + "=" * (-len(normalized) % 4)
    try:
        return base64.b64decode(padded.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise DecodeError(f"{what}: not valid base64") from None


def canonical_json(value: Any) -> bytes:
    """One byte encoding for one JSON value: sorted keys, no spaces, ASCII escapes.

    Used where bytes must be recomputed from parsed JSON (log entries). It is exact for
    the types these formats hold (strings, integers, booleans, null, lists, objects);
    floats are refused because their text form is not canonical across languages.
    """
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("canonical JSON refuses floats")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DecodeError(f"{what}: not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise DecodeError(f"{what}: expected a JSON object, not {type(value).__name__}")
    return value
