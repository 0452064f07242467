"""Packagist versions in the form OSV's advisories write them.

Composer tags releases either way (``v5.4.0`` or ``5.4.0``); OSV's Packagist records
use the bare form, so every reader that reports a Packagist version (``composer.lock``,
and the purls of CycloneDX and SPDX documents) strips a leading ``v`` before a digit,
through this one rule, so that the same release is matched the same way from any file.
"""

from __future__ import annotations

import re

_V_PREFIX = re.compile(r"^[vV](?=\d)")


def bare_version(version: str) -> str:
    """``version`` without a leading ``v``/``V`` before a digit: ``v5.4.0`` gives ``5.4.0``."""
    return _V_PREFIX.sub("", version)
