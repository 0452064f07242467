"""Text taken from SARIF made fit to show: one line, no control characters, no secrets.

A SARIF file is untrusted input that ends up in terminals, reports and the server:
control characters (ANSI escapes among them), bidirectional overrides (which reorder what
a reviewer reads) and lone surrogates (valid in JSON, fatal to UTF-8 encoders) are
replaced. Some tools quote the flagged value in their message (Bandit's
B105-B107 say ``Possible hardcoded password: 'the password'``), so a quoted value that
follows a credential word is redacted before the message is kept.
"""

from __future__ import annotations

import hashlib
import re

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SPACE = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\d{1,4})\}")
_QUOTED_SECRET = re.compile(
    r"(?i)(\b(?:pass(?:word|wd|phrase)?|pwd|secrets?|tokens?|(?:api|access|private)[_ -]?keys?"
    r"|credentials?)\b[^'\"\n]{0,40}?)(['\"])([^\n]*?)\2"
)
REDACTED = "<redacted>"


def clean(text: str) -> str:
    """Replace control characters, bidi overrides and lone surrogates; keep tabs, newlines."""
    return _UNSAFE.sub("\ufffd", text)


def first_line(text: str) -> str:
    """The first non-blank line, stripped, with control characters replaced."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            return clean(line).replace("\t", " ")
    return ""


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def one_line(text: str, limit: int) -> str:
    """First line, cleaned, secrets redacted, at most ``limit`` characters."""
    return truncate(redact(first_line(text)), limit)


def paragraph(text: str, limit: int) -> str:
    """The first paragraph (up to a blank line), whitespace collapsed into one line."""
    para = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    return truncate(redact(clean(_SPACE.sub(" ", para).strip())), limit)


def redact(text: str) -> str:
    """Blank out a quoted value that follows a credential word (``password: 'x'``)."""
    return _QUOTED_SECRET.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}{m[2]}", text)


def collapse(text: str) -> str:
    """Whitespace runs to one space, ends stripped: the normal form for hashing."""
    return _SPACE.sub(" ", text).strip()


def digest(text: str) -> str:
    """SHA-256 of text that may hold lone surrogates (JSON allows them)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def substitute(template: str, arguments: list[str]) -> str:
    """SARIF message placeholders: ``{0}`` is ``arguments[0]``; ``{{``/``}}`` are braces.

    A placeholder without an argument stays as written, so nothing is silently lost.
    """

    def one(match: re.Match[str]) -> str:
        piece = match[0]
        if piece == "{{":
            return "{"
        if piece == "}}":
            return "}"
        index = int(match[1])
        return arguments[index] if index < len(arguments) else piece

    return _PLACEHOLDER.sub(one, template)
