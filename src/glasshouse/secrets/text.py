"""Cheap looks at a file's bytes before the detector searches it: binary, minified.

Both look at a bounded sample only, so a file's cost to classify does not grow with
its size. The thresholds are tuned on real trees (a virtual environment's
``site-packages``, npm bundles), not on theory; each is named and explained.
"""

from __future__ import annotations

SAMPLE_BYTES = 8 * 1024  # binary test: the first 8 KiB, as git and grep look
MINIFIED_SAMPLE_BYTES = 64 * 1024
# Bundles and style sheets; source maps carry whole minified sources on one line.
MINIFIED_SUFFIXES = (".js", ".mjs", ".cjs", ".css", ".map")
# Hand-written code averages 30 to 50 bytes a line and a fifth of it is whitespace;
# a minifier's output has lines of thousands of bytes and a few percent whitespace.
MINIFIED_MEAN_LINE = 300
MINIFIED_MAX_WHITESPACE = 0.10
# Bytes that plain text of any 8-bit encoding may hold: printable ASCII, the usual
# whitespace and controls (tab, newline, vertical tab, form feed, carriage return,
# backspace, escape), and every byte >= 0x80 (UTF-8, Latin-1, cp1252 and the like).
_TEXT_BYTES = bytes(
    {7, 8, 9, 10, 11, 12, 13, 27} | set(range(0x20, 0x7F)) | set(range(0x80, 0x100))
)
# More than this share of bytes outside ``_TEXT_BYTES`` in the sample: not text.
_MAX_CONTROL_SHARE = 0.05
# Undecodable as UTF-8 and more than this share of high bytes: not text in any
# 8-bit encoding either (Latin-1 prose stays far below it).
_MAX_HIGH_SHARE = 0.30
_WHITESPACE = b" \t\r\n\f\v"


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: a NUL byte, many control bytes, or a sample
    that is neither UTF-8 nor plausibly an 8-bit encoding (compressed data, images).

    Looks at the first :data:`SAMPLE_BYTES` only.
    """
    sample = data[:SAMPLE_BYTES]
    if not sample:
        return False
    if b"\0" in sample:
        return True
    controls = len(sample.translate(None, _TEXT_BYTES))
    if controls > len(sample) * _MAX_CONTROL_SHARE:
        return True
    if sample.isascii():
        return False
    try:
        # A multi-byte character cut by the sample's end is not an error.
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:
            high = len(sample) - len(sample.translate(None, bytes(range(0x80, 0x100))))
            return high > len(sample) * _MAX_HIGH_SHARE
    return False


def looks_minified(path: str, data: bytes) -> bool:
    """True for a minified bundle, style sheet or source map: long lines, little space.

    Decided on the file's name (the suffixes of :data:`MINIFIED_SUFFIXES`) and its first
    :data:`MINIFIED_SAMPLE_BYTES`: the mean line length and the share of whitespace.
    """
    if not path.lower().endswith(MINIFIED_SUFFIXES):
        return False
    sample = data[:MINIFIED_SAMPLE_BYTES]
    if len(sample) < 1024:
        return False  # too small to matter, and too small to judge
    lines = sample.count(b"\n") + 1
    if len(sample) / lines < MINIFIED_MEAN_LINE:
        return False
    spaces = len(sample) - len(sample.translate(None, _WHITESPACE))
    return spaces < len(sample) * MINIFIED_MAX_WHITESPACE
