"""Credentials in URLs, hidden before a location is reported.

Lockfiles and requirements files may record a source URL with credentials in it
(``https://user:token@host/...``); a parser that reports such a URL (as a package's
``requirement``, say) passes it through ``redact_userinfo`` first, so that no secret
reaches a report. Shared by the Python parsers (``requirements.txt``, ``Pipfile.lock``,
``uv.lock``, ``pylock.toml``).
"""

from __future__ import annotations

import re

_USERINFO_RE = re.compile(r"(?<=://)[^/@\s]+@")


def redact_userinfo(text: str) -> str:
    """``text`` with the user information of every URL in it replaced by ``***``."""
    return _USERINFO_RE.sub("***@", text)
