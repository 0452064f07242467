"""What may be shown of a secret: a masked preview, and a keyed hash to recognize it.

The raw value never leaves the detector's caller: every output carries
:func:`preview` (at most eight characters of the secret, none of a short one) and
:func:`secret_hash`, an HMAC-SHA256 of the secret. The same secret gives the same hash
in two files, two commits, two runs and two CI runners, so fingerprints, baselines and
the server's de-duplication recognize it without storing it.

The HMAC key comes from ``GLASSHOUSE_SECRET_HASH_KEY`` when an organization sets one:
its hashes then mean nothing outside it (no one without the key can test a guessed or
leaked secret against them). Without it, a fixed key built into Glasshouse is used.
That key is public, so it is a *pepper*, not a secret: it stops the hashes from being
plain SHA-256 values that match other tools' rainbow tables, but anyone with
Glasshouse can check whether a candidate secret has a given hash. Set the variable
wherever hashes leave the organization. Changing either key changes every secret
finding's fingerprint, so baselines and waivers must be made with the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

HASH_KEY_VARIABLE = "GLASSHOUSE_SECRET_HASH_KEY"
# Versioned: a new built-in key would be a new fingerprint scheme.
BUILTIN_HASH_KEY = b"glasshouse secret fingerprint pepper v1"

ELLIPSIS = "\u2026"
# The first line of a multi-line secret that names its kind and holds nothing secret.
_KEY_HEADER = re.compile(
    r"-----BEGIN [A-Z0-9 ]{1,40}-----|PuTTY-User-Key-File-\d+: [A-Za-z0-9@.-]{1,40}"
)


def _printable(text: str) -> str:
    """Shown characters as they are, except controls (a terminal must not obey them)."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def preview(secret: str) -> str:
    """A masked preview: ``ghp_…a1B2 (40 chars)``.

    Shows the first and last 4 characters of a secret of 16 or more, the first and
    last 2 of one of 8 to 15, and nothing (``****``) of a shorter one. A multi-line
    secret (a private key) shows only its header line when that names its kind
    (``-----BEGIN RSA PRIVATE KEY----- … (1679 chars)``), else nothing of it.
    """
    size = len(secret)
    stripped = secret.strip()
    if "\n" in stripped:
        header = _KEY_HEADER.fullmatch(stripped.split("\n", 1)[0].strip())
        shown = header.group(0) + " " if header else ""
        return f"{shown}{ELLIPSIS} ({size} chars)"
    if size >= 16:
        keep = 4
    elif size >= 8:
        keep = 2
    else:
        return "****"
    return f"{_printable(secret[:keep])}{ELLIPSIS}{_printable(secret[-keep:])} ({size} chars)"


def secret_hash(secret: str, key: bytes) -> str:
    """HMAC-SHA256 of the secret's UTF-8 bytes under ``key``, in hex."""
    return hmac.new(key, secret.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def hash_key(environ: Mapping[str, str]) -> bytes:
    """The HMAC key: ``GLASSHOUSE_SECRET_HASH_KEY`` if set and not empty, else the
    built-in pepper (see the module's documentation for what each protects)."""
    value = environ.get(HASH_KEY_VARIABLE, "")
    return value.encode("utf-8") if value else BUILTIN_HASH_KEY
