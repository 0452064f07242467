"""HCL expressions and string templates into a small tree, by recursive descent.

It reads what Terraform configurations write: literals, quoted templates and heredocs
with ``${...}`` interpolation, traversals (``a.b[0]``, ``a[*].b``, ``a.*.b``), function
calls (with a final ``...`` expansion), unary and binary operators, conditionals,
tuples, objects and ``for`` expressions. Template directives (``%{ if }``) parse but
evaluate to UNKNOWN. Nothing is ever executed: the tree is data for ``evaluate``.

Input this parser cannot read (syntax it does not know, nesting deeper than
``MAX_DEPTH``, operator chains longer than ``MAX_CHAIN``) becomes an ``Invalid`` node,
which evaluates to UNKNOWN: an unreadable expression is neither an error nor a value.

``ExpressionReader`` drives the same parser over a whole file for ``hcl``: it reads
the expression that starts at an offset and says where it ends. There newlines outside
brackets end the expression, as in HCL, and input it cannot read (or heredoc forms
python-hcl2 would read differently) raises ``ExpressionError`` instead.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

MAX_DEPTH = 48  # nested brackets, calls, templates
MAX_CHAIN = 128  # operators or traversal steps in one chain
MAX_TEXT = 1_000_000  # characters of one expression

# A name no configuration can write: the element a splat applies its traversal to.
SPLAT_ITEM = "\x00item"

Scalar: TypeAlias = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Literal:
    value: Scalar
    line: int


@dataclass(frozen=True, slots=True)
class Template:
    """A string template: literal text and interpolated expressions. A template that
    is one interpolation and nothing else yields the value itself, unconverted."""

    parts: tuple[str | Expr, ...]
    line: int
    directive: bool = False  # holds %{ ... }: not evaluated (UNKNOWN)


@dataclass(frozen=True, slots=True)
class Ref:
    """A root name: ``var``, ``local``, ``aws_s3_bucket``, a for-expression variable."""

    name: str
    line: int


@dataclass(frozen=True, slots=True)
class GetAttr:
    obj: Expr
    name: str
    line: int


@dataclass(frozen=True, slots=True)
class Index:
    obj: Expr
    key: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Splat:
    """``source[*].rest``: ``each`` is evaluated for every element bound to SPLAT_ITEM."""

    source: Expr
    each: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    expand: bool  # the last argument is followed by "..."
    line: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str
    operand: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Expr
    right: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Conditional:
    condition: Expr
    true: Expr
    false: Expr
    line: int


@dataclass(frozen=True, slots=True)
class TupleExpr:
    items: tuple[Expr, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    items: tuple[tuple[Expr, Expr], ...]
    line: int


@dataclass(frozen=True, slots=True)
class ForExpr:
    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None  # set for the object form {for k, v in c : key => value}
    value: Expr
    condition: Expr | None
    grouping: bool  # value followed by "..."
    line: int


@dataclass(frozen=True, slots=True)
class Invalid:
    reason: str
    line: int


Expr: TypeAlias = (
    Literal
    | Template
    | Ref
    | GetAttr
    | Index
    | Splat
    | Call
    | Unary
    | Binary
    | Conditional
    | TupleExpr
    | ObjectExpr
    | ForExpr
    | Invalid
)


class _SyntaxError(Exception):
    pass


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_BRACKET_STAR = re.compile(r"\[[ \t\r\n]*\*[ \t\r\n]*\]")
_DIGITS = re.compile(r"[0-9]+")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
# The heredoc opening both HCL and python-hcl2 accept: no blanks after the marker.
_STRICT_HEREDOC = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9_-]*)\r?\n")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}
_OPERATORS = ("||", "&&", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%")


def parse_expression(text: str, line: int = 1) -> Expr:
    """The expression ``text`` (the whole of it), starting on ``line``."""
    if len(text) > MAX_TEXT:
        return Invalid("expression too long", line)
    parser = _Parser(text, line)
    try:
        expr = parser.expression()
        parser.skip()
        if parser.pos != len(text):
            raise _SyntaxError(f"unexpected {text[parser.pos]!r}")
    except _SyntaxError as exc:
        return Invalid(str(exc), line)
    except RecursionError:
        return Invalid("nested too deeply", line)
    return expr


def parse_template(text: str, line: int = 1) -> Expr:
    """``text`` as the contents of a template without escapes (a JSON string)."""
    if len(text) > MAX_TEXT:
        return Invalid("template too long", line)
    parser = _Parser(text, line)
    try:
        return parser.template_body(quoted=False, escapes=False)
    except _SyntaxError as exc:
        return Invalid(str(exc), line)
    except RecursionError:
        return Invalid("nested too deeply", line)


class ExpressionError(Exception):
    """An expression ``ExpressionReader`` cannot read; the message is one line."""


class ExpressionReader:
    """Expressions read out of a whole file (HCL native syntax), one at an offset.

    Newlines outside brackets end an expression (an attribute's value ends at the end
    of its line), so an operator or a ``?`` that continues on the next line is not
    read here; nor is any input ``parse_expression`` would make ``Invalid``. Those
    raise ``ExpressionError``. Lines are those of the whole text (the first is 1).
    """

    def __init__(self, text: str) -> None:
        self._parser = _Parser(text, 1, statement=True)

    def line(self, pos: int) -> int:
        return self._parser.line(pos)

    def expression(self, pos: int) -> tuple[Expr, int]:
        """The expression starting at ``pos`` (after blanks) and the offset after it,
        past trailing blanks and a comment: a newline, the end or another token."""
        return self._read(pos, self._parser.expression)

    def string(self, pos: int) -> tuple[Expr, int]:
        """The quoted template whose opening quote is at ``pos``, and the offset after
        its closing quote."""
        parser = self._parser
        if not parser.text.startswith('"', pos):
            raise ExpressionError("expected '\"'")
        return self._read(pos + 1, lambda: parser.template_body(quoted=True, escapes=True))

    def _read(self, pos: int, parse: Callable[[], Expr]) -> tuple[Expr, int]:
        parser = self._parser
        parser.pos, parser._depth, parser._blank_newlines = pos, 0, [False]
        try:
            expr = parse()
        except _SyntaxError as exc:
            raise ExpressionError(f"line {parser.line()}: {exc}") from None
        except RecursionError:
            raise ExpressionError(f"line {parser.line(pos)}: nested too deeply") from None
        if parser.pos - pos > MAX_TEXT:
            raise ExpressionError(f"line {parser.line(pos)}: expression too long")
        return expr, parser.pos


class _Parser:
    def __init__(self, text: str, line: int, *, statement: bool = False) -> None:
        self.text = text
        self.pos = 0
        self.base = line
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        # per bracket: are newlines blank space? In a statement (a whole file read by
        # ExpressionReader) a newline outside brackets ends the expression.
        self._blank_newlines = [not statement]
        self._depth = 0
        # A statement reads heredocs, quoted templates and "[for" only in the forms HCL
        # and python-hcl2 both read (and read alike): config falls back on the rest.
        self._strict = statement

    # --- positions and blank space -----------------------------------------------

    def line(self, pos: int | None = None) -> int:
        return self.base + bisect.bisect_left(self._newlines, self.pos if pos is None else pos)

    def skip(self) -> None:
        """Blank space and comments; newlines too unless they separate object items."""
        text, n = self.text, len(self.text)
        newlines = self._blank_newlines[-1]
        while self.pos < n:
            c = text[self.pos]
            if c in " \t\r":
                self.pos += 1
            elif c == "\n":
                if not newlines:
                    return
                self.pos += 1
            elif c == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise _SyntaxError("unterminated comment")
                self.pos = end + 2
            else:
                return

    def _skip_all(self) -> None:
        self._blank_newlines.append(True)
        try:
            self.skip()
        finally:
            self._blank_newlines.pop()

    def _peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def _expect(self, token: str) -> None:
        self.skip()
        if not self._peek(token):
            found = self.text[self.pos] if self.pos < len(self.text) else "end of input"
            raise _SyntaxError(f"expected {token!r}, found {found!r}")
        self.pos += len(token)

    def _keyword(self, word: str) -> bool:
        """The identifier ``word`` is next (and is consumed)."""
        self.skip()
        match = _IDENT.match(self.text, self.pos)
        if match is not None and match.group() == word:
            self.pos = match.end()
            return True
        return False

    def _ident(self) -> str:
        self.skip()
        match = _IDENT.match(self.text, self.pos)
        if match is None:
            raise _SyntaxError("expected a name")
        self.pos = match.end()
        return match.group()

    def _enter(self, newlines_blank: bool) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _SyntaxError("nested too deeply")
        self._blank_newlines.append(newlines_blank)

    def _leave(self) -> None:
        self._depth -= 1
        self._blank_newlines.pop()

    # --- expressions ----------------------------------------------------------------

    def expression(self) -> Expr:
        self.skip()
        line = self.line()
        condition = self._binary(1)
        self.skip()
        if self._peek("?"):
            self.pos += 1
            self._enter(True)
            try:
                true = self.expression()
                self._expect(":")
                self._skip_all()  # the false result may start on the next line
            finally:
                self._leave()
            # ... but it ends as the conditional's surroundings say: in an object
            # or a statement, at the end of its line.
            false = self._nested(self.expression)
            return Conditional(condition, true, false, line)
        return condition

    def _operator(self) -> str | None:
        self.skip()
        for op in _OPERATORS:
            if self.text.startswith(op, self.pos):
                # "=" alone, "=>", "..." and "<<" are not binary operators.
                return op
        return None

    def _binary(self, minimum: int) -> Expr:
        left = self._unary()
        chain = 0
        while True:
            op = self._operator()
            if op is None or _PRECEDENCE[op] < minimum:
                return left
            chain += 1
            if chain > MAX_CHAIN:
                raise _SyntaxError("operator chain too long")
            line = self.line()
            self.pos += len(op)
            right = self._binary(_PRECEDENCE[op] + 1)
            left = Binary(op, left, right, line)

    def _unary(self) -> Expr:
        self.skip()
        line = self.line()
        if self._peek("!") and not self._peek("!="):
            self.pos += 1
            return Unary("!", self._nested(self._unary), line)
        if self._peek("-"):
            self.pos += 1
            return Unary("-", self._nested(self._unary), line)
        return self._postfix()

    def _nested(self, parse: Callable[[], Expr]) -> Expr:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _SyntaxError("nested too deeply")
        try:
            return parse()
        finally:
            self._depth -= 1

    def _postfix(self) -> Expr:
        expr = self._primary()
        for _ in range(MAX_CHAIN):
            step = self._step(expr, allow_index=True)
            if step is None:
                return expr
            expr = step
        raise _SyntaxError("traversal too long")

    def _step(self, expr: Expr, *, allow_index: bool) -> Expr | None:
        """One traversal step after ``expr``, or None when none follows."""
        self.skip()
        text, pos = self.text, self.pos
        line = self.line()
        if text.startswith(".*", pos):
            self.pos += 2
            return Splat(expr, self._splat_rest(allow_index=False), line)
        if text.startswith(".", pos) and not text.startswith("..", pos):
            self.pos += 1
            number = _DIGITS.match(text, self.pos)
            if number is not None:
                self.pos = number.end()
                return Index(expr, Literal(int(number.group()), line), line)
            return GetAttr(expr, self._ident(), line)
        if allow_index and text.startswith("[", pos):
            star = _BRACKET_STAR.match(text, pos)
            if star is not None:
                self.pos = star.end()
                return Splat(expr, self._splat_rest(allow_index=True), line)
            self.pos += 1
            self._enter(True)
            try:
                key = self.expression()
                self._expect("]")
            finally:
                self._leave()
            return Index(expr, key, line)
        return None

    def _splat_rest(self, *, allow_index: bool) -> Expr:
        """The traversal a splat applies to each element (a further splat nests)."""
        each: Expr = Ref(SPLAT_ITEM, self.line())
        for _ in range(MAX_CHAIN):
            step = self._step(each, allow_index=allow_index)
            if step is None:
                return each
            each = step
        raise _SyntaxError("traversal too long")

    def _primary(self) -> Expr:
        self.skip()
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise _SyntaxError("expected an expression, found end of input")
        line = self.line()
        c = text[pos]
        if c.isdigit():
            return self._number()
        if c == '"':
            self.pos += 1
            return self._nested(lambda: self.template_body(quoted=True, escapes=True))
        if text.startswith("<<", pos):
            return self._heredoc()
        if c == "(":
            self.pos += 1
            self._enter(True)
            try:
                inner = self.expression()
                self._expect(")")
            finally:
                self._leave()
            return inner
        if c == "[":
            self.pos += 1
            self._enter(True)
            try:
                return self._tuple(line)
            finally:
                self._leave()
        if c == "{":
            self.pos += 1
            self._enter(False)
            try:
                return self._object(line)
            finally:
                self._leave()
        match = _IDENT.match(text, pos)
        if match is None:
            raise _SyntaxError(f"unexpected {c!r}")
        self.pos = match.end()
        name = match.group()
        if name in ("true", "false"):
            return Literal(name == "true", line)
        if name == "null":
            return Literal(None, line)
        while self._peek("::"):  # a provider function: provider::aws::arn_parse
            self.pos += 2
            name += "::" + self._ident()
        saved = self.pos
        self.skip()
        if self._peek("("):
            self.pos += 1
            return self._call(name, line)
        self.pos = saved
        if self._strict and "::" in name:  # only a function name has "::"
            raise _SyntaxError(f"{name} without a call")
        return Ref(name, line)

    def _number(self) -> Literal:
        line = self.line()
        match = _NUMBER.match(self.text, self.pos)
        if match is None:  # pragma: no cover - called on a digit
            raise _SyntaxError("expected a number")
        self.pos = match.end()
        raw = match.group()
        if match.group(1) is None and match.group(2) is None:
            return Literal(int(raw), line)
        value = float(raw)
        if value.is_integer() and abs(value) < 2**53:
            return Literal(int(value), line)
        return Literal(value, line)

    def _call(self, name: str, line: int) -> Expr:
        self._enter(True)
        try:
            args: list[Expr] = []
            expand = False
            self.skip()
            while not self._peek(")"):
                args.append(self.expression())
                self.skip()
                if self._peek("..."):
                    self.pos += 3
                    expand = True
                    self.skip()
                if self._peek(","):
                    self.pos += 1
                    self.skip()
                elif not self._peek(")"):
                    raise _SyntaxError("expected ',' or ')' in a function call")
                if expand and not self._peek(")"):
                    raise _SyntaxError("'...' must follow the last argument")
            self.pos += 1
        finally:
            self._leave()
        return Call(name, tuple(args), expand, line)

    def _tuple(self, line: int) -> Expr:
        saved = self.pos
        if self._keyword("for"):
            if self._for_follows():
                return self._for(line, is_object=False, closing="]")
            if self._strict:  # HCL and python-hcl2 read no name "for" here
                raise _SyntaxError("expected a for expression after '[for'")
        self.pos = saved
        items: list[Expr] = []
        self.skip()
        while not self._peek("]"):
            items.append(self.expression())
            self.skip()
            if self._peek(","):
                self.pos += 1
                self.skip()
            elif not self._peek("]"):
                raise _SyntaxError("expected ',' or ']' in a tuple")
        self.pos += 1
        return TupleExpr(tuple(items), line)

    def _for_follows(self) -> bool:
        """After the word ``for``: a for expression (``for x in``), not a name ``for``."""
        return _IDENT.match(self.text, self._after_blank(self.pos)) is not None

    def _after_blank(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in " \t\r\n":
            pos += 1
        return pos

    def _object(self, line: int) -> Expr:
        self._skip_all()
        saved = self.pos
        if self._keyword("for") and self._for_follows():
            self._blank_newlines.append(True)
            try:
                return self._for(line, is_object=True, closing="}")
            finally:
                self._blank_newlines.pop()
        self.pos = saved
        items: list[tuple[Expr, Expr]] = []
        while True:
            self._skip_all()
            if self._peek("}"):
                self.pos += 1
                return ObjectExpr(tuple(items), line)
            key = self._object_key()
            self.skip()
            equals = self._peek("=") and not self._peek("==") and not self._peek("=>")
            if equals or self._peek(":"):
                self.pos += 1
            else:
                raise _SyntaxError("expected '=' or ':' after an object key")
            value = self.expression()
            items.append((key, value))
            self.skip()
            if self._peek(",") or self._peek("\n"):
                self.pos += 1
            elif not self._peek("}"):
                raise _SyntaxError("expected ',', a newline or '}' after an object item")

    def _object_key(self) -> Expr:
        self.skip()
        line = self.line()
        if self._peek("("):
            return self.expression()
        key = self.expression()
        if isinstance(key, Ref):  # a bare name is the literal key, not a variable
            return Literal(key.name, line)
        return key

    def _for(self, line: int, *, is_object: bool, closing: str) -> Expr:
        first = self._ident()
        second: str | None = None
        self.skip()
        if self._peek(","):
            self.pos += 1
            second = self._ident()
        if not self._keyword("in"):
            raise _SyntaxError("expected 'in' in a for expression")
        collection = self.expression()
        self._expect(":")
        key: Expr | None = None
        if is_object:
            key = self.expression()
            self._expect("=>")
        value = self.expression()
        grouping = False
        self.skip()
        if is_object and self._peek("..."):
            self.pos += 3
            grouping = True
        condition: Expr | None = None
        if self._keyword("if"):
            condition = self.expression()
        self._expect(closing)
        key_var, value_var = (first, second) if second is not None else (None, first)
        return ForExpr(key_var, value_var, collection, key, value, condition, grouping, line)

    # --- templates ------------------------------------------------------------------

    def template_body(self, *, quoted: bool, escapes: bool) -> Expr:
        """Template text up to the closing quote (``quoted``) or the end of the text."""
        line = self.line()
        text, n = self.text, len(self.text)
        parts: list[str | Expr] = []
        buffer: list[str] = []
        strip_next = False
        directive = False

        def flush() -> None:
            nonlocal strip_next
            literal = "".join(buffer)
            buffer.clear()
            if strip_next:
                literal = literal.lstrip()
                strip_next = False
            if literal:
                parts.append(literal)

        while True:
            if self.pos >= n:
                if quoted:
                    raise _SyntaxError("unterminated string")
                break
            c = text[self.pos]
            if quoted and c == '"':
                self.pos += 1
                break
            if quoted and c == "\n":
                raise _SyntaxError("newline in a quoted string")
            if escapes and c == "\\":
                buffer.append(self._escape())
            elif text.startswith("$${", self.pos) or text.startswith("%%{", self.pos):
                buffer.append(text[self.pos + 1 : self.pos + 3])
                self.pos += 3
            elif text.startswith("${", self.pos) or text.startswith("%{", self.pos):
                is_directive = text[self.pos] == "%"
                self.pos += 2
                strip_left = self._peek("~")
                if strip_left:
                    self.pos += 1
                flush()
                if strip_left and parts and isinstance(parts[-1], str):
                    parts[-1] = parts[-1].rstrip()
                    if not parts[-1]:
                        parts.pop()
                # python-hcl2 reads no newline in a quoted string, not even between
                # ${ and }: a statement does not either (parse_expression does).
                self._enter(not (quoted and self._strict))
                try:
                    if is_directive:
                        self._directive()
                        directive = True
                    else:
                        parts.append(self.expression())
                    self.skip()
                    if self._peek("~"):
                        self.pos += 1
                        strip_next = True
                    self._expect("}")
                finally:
                    self._leave()
            else:
                buffer.append(c)
                self.pos += 1
        flush()
        if not parts:
            return Literal("", line)
        if len(parts) == 1 and isinstance(parts[0], str) and not directive:
            return Literal(parts[0], line)
        return Template(tuple(parts), line, directive)

    def _escape(self) -> str:
        text = self.text
        if self.pos + 1 >= len(text):
            raise _SyntaxError("unterminated escape")
        c = text[self.pos + 1]
        if c in _ESCAPES:
            self.pos += 2
            return _ESCAPES[c]
        width = {"u": 4, "U": 8}.get(c)
        digits = text[self.pos + 2 : self.pos + 2 + width] if width else ""
        if width and len(digits) == width and all(d in "0123456789abcdefABCDEF" for d in digits):
            self.pos += 2 + width
            code = int(digits, 16)
            if code > 0x10FFFF or 0xD800 <= code < 0xE000:
                raise _SyntaxError("invalid unicode escape")
            return chr(code)
        raise _SyntaxError(f"invalid escape \\{c}")

    def _directive(self) -> None:
        """The header of a template directive, read and dropped (evaluated UNKNOWN)."""
        word = self._ident()
        if word == "if":
            self.expression()
        elif word == "for":
            self._ident()
            self.skip()
            if self._peek(","):
                self.pos += 1
                self._ident()
            if not self._keyword("in"):
                raise _SyntaxError("expected 'in' in a template for directive")
            self.expression()
        elif word not in ("else", "endif", "endfor"):
            raise _SyntaxError(f"unknown template directive {word}")

    def _heredoc(self) -> Expr:
        match = (_STRICT_HEREDOC if self._strict else _HEREDOC).match(self.text, self.pos)
        if match is None:
            raise _SyntaxError("invalid heredoc")
        indented, marker = match.group(1) == "-", match.group(2)
        start = match.end()
        content_line = self.line(start)
        lines: list[str] = []
        pos = start
        text = self.text
        while True:
            if pos >= len(text):
                raise _SyntaxError(f"heredoc {marker} is not closed")
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            current = text[pos:end]
            if current.strip() == marker:
                if self._strict and current.removesuffix("\r").lstrip(" \t") != marker:
                    raise _SyntaxError(f"heredoc {marker}: blanks around the closing marker")
                self.pos = pos + len(current.rstrip())
                break
            lines.append(current.removesuffix("\r"))
            pos = end + 1
        if indented:
            widths = [len(t) - len(t.lstrip(" \t")) for t in lines if t.strip()]
            cut = min(widths, default=0)
            lines = [t[cut:] for t in lines]
        body = "".join(t + "\n" for t in lines)
        inner = _Parser(body, content_line)
        inner._depth = self._depth
        inner._strict = self._strict
        try:
            return inner.template_body(quoted=False, escapes=False)
        finally:
            self._depth = inner._depth


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``expr``."""
    if isinstance(expr, Template):
        return tuple(p for p in expr.parts if not isinstance(p, str))
    if isinstance(expr, GetAttr):
        return (expr.obj,)
    if isinstance(expr, Index):
        return (expr.obj, expr.key)
    if isinstance(expr, Splat):
        return (expr.source, expr.each)
    if isinstance(expr, Call):
        return expr.args
    if isinstance(expr, Unary):
        return (expr.operand,)
    if isinstance(expr, Binary):
        return (expr.left, expr.right)
    if isinstance(expr, Conditional):
        return (expr.condition, expr.true, expr.false)
    if isinstance(expr, TupleExpr):
        return expr.items
    if isinstance(expr, ObjectExpr):
        return tuple(e for item in expr.items for e in item)
    if isinstance(expr, ForExpr):
        parts = (expr.collection, expr.key, expr.value, expr.condition)
        return tuple(e for e in parts if e is not None)
    return ()
