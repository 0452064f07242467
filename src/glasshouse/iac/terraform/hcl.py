"""HCL native syntax (``.tf``, ``.tfvars``) into ``config``'s bodies, blocks and attributes.

The fast path of ``config``: a file's structure is read here by hand and each
attribute's value by ``syntax.ExpressionReader``, in one pass over the text. It reads
what HCL's native syntax allows (the ``hclsyntax`` specification):

- attributes ``name = expression``, the expression ending at the end of its line
  unless brackets, parentheses, braces, a string or a heredoc keep it open;
- blocks ``type label... {`` with identifier or quoted labels, their body on the
  following lines and ``}`` on a line of its own, or on one line: ``type {}`` and
  ``type { name = expression }``;
- ``#``, ``//`` and ``/* */`` comments, CRLF line endings, no final newline.

Whatever else it meets raises ``NotRead``, and ``config`` then reads the file with
python-hcl2 as before. So does what python-hcl2 reads in a way of its own: a block type
or an unquoted label spelled like one of its keywords (it drops them), a label with a
template, two items on one line, an operator or ``?`` continuing on the next line
outside brackets, a comment inside a block header... Where both read a file, they
build the same structure (``tests/iac/test_terraform_hcl.py``). Valid HCL python-hcl2
rejects is read here: template strip markers (``${~ x ~}``), ``8080-10``, a newline
before ``-`` inside brackets, a comment between ``=`` and the value.
"""

from __future__ import annotations

import re

from glasshouse.iac.terraform.config import Attribute, Block, Body
from glasshouse.iac.terraform.syntax import Expr, ExpressionError, ExpressionReader, Literal

MAX_BLOCK_DEPTH = 32  # as config's python-hcl2 path: deeper is its error to report

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_INLINE = re.compile(r"[ \t]*")
_SPACE = re.compile(r"[ \t\r\n]*")
# Words python-hcl2's grammar reads as keywords or literals: as a block type or an
# unquoted label, config's python-hcl2 path drops them. Left to it.
_KEYWORDS = frozenset(
    {"in", "for", "if", "for_each", "else", "endif", "endfor", "true", "false", "null"}
)


class NotRead(Exception):
    """Input this module does not read; the message says where and why."""


def parse(text: str, path: str) -> Body:
    """The top-level body of ``text``, the HCL file at ``path``; raises ``NotRead``."""
    if text.count("\r") != text.count("\r\n"):
        raise NotRead("a carriage return that does not end a line")
    return _Reader(text, path).file()


class _Reader:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.end = len(text)
        self.expressions = ExpressionReader(text)

    def fail(self, pos: int, reason: str) -> NotRead:
        return NotRead(f"line {self.expressions.line(pos)}: {reason}")

    def found(self, pos: int) -> str:
        return repr(self.text[pos]) if pos < self.end else "the end of the file"

    def file(self) -> Body:
        body, _ = self.items(0, 0, closing=False)
        return body

    # --- blank space --------------------------------------------------------------

    def gap(self, pos: int) -> tuple[int, bool]:
        """Past blank space, newlines and comments: the offset, and whether a newline
        (not one inside a ``/* */`` comment) was crossed."""
        text, end = self.text, self.end
        newline = False
        while True:
            blank = _SPACE.match(text, pos)
            stop = blank.end() if blank is not None else pos
            if not newline and text.find("\n", pos, stop) >= 0:
                newline = True
            pos = stop
            if pos >= end:
                return pos, newline
            c = text[pos]
            if c == "#" or (c == "/" and text.startswith("//", pos)):
                found = text.find("\n", pos)
                pos = end if found < 0 else found
            elif c == "/" and text.startswith("/*", pos):
                found = text.find("*/", pos + 2)
                if found < 0:
                    raise self.fail(pos, "unterminated comment")
                pos = found + 2
            else:
                return pos, newline

    def inline(self, pos: int) -> int:
        blank = _INLINE.match(self.text, pos)
        return blank.end() if blank is not None else pos

    # --- bodies -------------------------------------------------------------------

    def items(self, pos: int, depth: int, *, closing: bool) -> tuple[Body, int]:
        """The items of a body up to the end of the text or (``closing``) to its ``}``,
        which must be on a line of its own; each item starts on a new line."""
        text = self.text
        body = Body()
        # At the top of the file nothing needs to come first; in a block, the caller
        # saw the newline after "{", which the first gap crosses.
        separated = not closing
        while True:
            pos, newline = self.gap(pos)
            separated = separated or newline
            if pos >= self.end:
                if closing:
                    raise self.fail(pos, "a block is not closed")
                return body, pos
            if not separated:
                raise self.fail(pos, f"expected a newline, found {self.found(pos)}")
            if text[pos] == "}":
                if not closing:
                    raise self.fail(pos, "unexpected '}'")
                return body, pos + 1
            pos = self.item(body, pos, depth)
            separated = False

    def item(self, body: Body, pos: int, depth: int) -> int:
        """One attribute or block at ``pos``, added to ``body``; the offset after it."""
        text = self.text
        match = _NAME.match(text, pos)
        if match is None:
            raise self.fail(pos, f"expected a name, found {self.found(pos)}")
        name, start = match.group(), pos
        pos = self.inline(match.end())
        if text.startswith("=", pos) and not text.startswith(("==", "=>"), pos):
            expr, pos = self.expression(pos + 1)
            body.attributes[name] = Attribute(name, expr, self.expressions.line(start))
            return pos
        if name in _KEYWORDS:
            raise self.fail(start, f"a block named {name!r}")
        labels: list[str] = []
        while not text.startswith("{", pos):
            if text.startswith('"', pos):
                label, pos = self.label(pos)
            else:
                match = _NAME.match(text, pos)
                if match is None:
                    raise self.fail(pos, f"unexpected {self.found(pos)} in a block header")
                label, pos = match.group(), match.end()
                if label in _KEYWORDS:
                    raise self.fail(pos, f"a block label {label!r}")
            labels.append(label)
            pos = self.inline(pos)
        line = self.expressions.line(start)
        block_body, pos = self.block_body(pos + 1, depth + 1)
        body.blocks.append(Block(name, tuple(labels), block_body, line, self.path))
        return pos

    def block_body(self, pos: int, depth: int) -> tuple[Body, int]:
        """The body after a block's ``{`` and the offset after its ``}``."""
        if depth > MAX_BLOCK_DEPTH:
            raise self.fail(pos, "blocks nested too deeply")
        inner, newline = self.gap(pos)
        if inner < self.end and self.text[inner] == "}":
            return Body(), inner + 1  # {} (on one line or more)
        if newline:
            return self.items(pos, depth, closing=True)
        # One line: `type { name = expression }`, a single attribute.
        body = Body()
        pos = self.item(body, inner, depth)
        if body.blocks:
            raise self.fail(inner, "a block inside a one-line block")
        end, newline = self.gap(pos)
        if newline or not self.text.startswith("}", end):
            raise self.fail(end, "a one-line block holds one attribute and '}'")
        return body, end + 1

    # --- values -------------------------------------------------------------------

    def expression(self, pos: int) -> tuple[Expr, int]:
        try:
            expr, pos = self.expressions.expression(pos)
        except ExpressionError as exc:
            raise NotRead(str(exc)) from None
        return expr, pos

    def label(self, pos: int) -> tuple[str, int]:
        try:
            expr, end = self.expressions.string(pos)
        except ExpressionError as exc:
            raise NotRead(str(exc)) from None
        if not (isinstance(expr, Literal) and isinstance(expr.value, str)):
            raise self.fail(pos, "a block label that is a template")
        return expr.value, end
