"""The one fingerprint function (DESIGN.md): stable fields only, never line numbers.

The same value feeds SARIF ``partialFingerprints``, baselines, waivers and the server's
de-duplication, so changing it is a breaking change: bump ``FINGERPRINT_VERSION``.
"""

from __future__ import annotations

import hashlib

from glasshouse.model.finding import FindingKind

FINGERPRINT_VERSION = 1


def fingerprint(kind: FindingKind, rule_id: str, identity: str, path: str) -> str:
    """A 32-hex-digit digest of what makes a finding the same finding across runs.

    ``identity`` is the package (``ecosystem/normalized-name``), the resource address,
    or for secrets a keyed hash of the secret, never the secret itself.
    ``path`` is relative to the scan root with POSIX separators.
    """
    parts = (f"glasshouse-fp-v{FINGERPRINT_VERSION}", kind.value, rule_id, identity, path)
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:32]
