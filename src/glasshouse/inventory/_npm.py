"""Shared pieces of the JavaScript-ecosystem lockfile parsers (npm, yarn, pnpm, bun).

Everything here is pure and linear in the size of the input: loading JSON, JSONC and
YAML into plain values (only with safe loaders), finding the line of each package key
with one pass over the text, telling a concrete version from a git URL or a path, and
collecting packages with de-duplication.
"""

from __future__ import annotations

import gc
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import yaml

from glasshouse.inventory.base import ParseError
from glasshouse.model.package import Location, Package

ECOSYSTEM = "npm"

# A concrete npm version: semver, as the registry publishes it (``1.2.3``,
# ``1.0.0-beta.2``, ``2.1.6+git``). Anything else (a git URL, a path, a range) is not.
_CONCRETE = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")

# ``scheme://user[:password]@host``: the user-info part may hold a token.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")


def is_concrete(version: str) -> bool:
    """Whether ``version`` names one published release (not a URL, path or range)."""
    return _CONCRETE.fullmatch(version) is not None


def redact(text: str) -> str:
    """Hide credentials written into a URL (``https://token@host``): never report them.

    An ssh user name ``git`` is kept, it is no secret and says where the code comes from.
    """
    if "@" not in text or "://" not in text:
        return text

    def hide(match: re.Match[str]) -> str:
        if match["userinfo"] == "git":
            return match[0]
        return f"{match['scheme']}***@"

    return _USERINFO.sub(hide, text)


def split_spec(spec: str) -> tuple[str, str]:
    """Split ``name@rest`` at the first ``@`` that does not open a scope.

    ``@babel/core@^7`` gives ``("@babel/core", "^7")``; ``lodash`` gives ``("lodash", "")``.
    """
    at = spec.find("@", 1)
    if at < 0:
        return spec, ""
    return spec[:at], spec[at + 1 :]


def in_node_modules(rel_path: str) -> bool:
    """Whether a file lies inside an installed ``node_modules`` tree (not the project's)."""
    return "node_modules" in rel_path.split("/")[:-1]


def basename_matcher(*names: str) -> Callable[[str, str], bool]:
    """A cheap ``matches`` predicate: one of ``names``, outside ``node_modules``."""
    wanted = frozenset(names)

    def matches(base_name: str, rel_path: str) -> bool:
        return base_name in wanted and not in_node_modules(rel_path)

    return matches


def as_dict(value: object, what: str) -> dict[str, Any]:
    """``value`` as a mapping (``None`` is an empty one), or a ParseError naming ``what``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"{what} is a {_json_type(value)}, expected an object")
    return value


def optional_str(entry: dict[str, Any], field: str, what: str) -> str | None:
    """A string field that may be absent; any other type is a ParseError."""
    value = entry.get(field)
    if value is None or isinstance(value, str):
        return value
    raise ParseError(f"{what}: {field!r} is a {_json_type(value)}, expected a string")


def _json_type(value: object) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return type(value).__name__


# --------------------------------------------------------------------------- loading


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a lockfile is parsed.

    Parsing builds many objects (YAML nodes, dicts) and no reference cycles. With the
    collector on, its collections traverse all those live objects again and again, which
    makes parsing a large lockfile super-linear (measured 2-3x slower at 20,000
    packages); paused, the temporaries are freed by reference counting when the parse
    returns and are never traversed. The collector is re-enabled only if it was on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_json(text: str) -> Any:
    """Parse JSON text, turning every failure into a one-line ParseError."""
    if not text.strip():
        raise ParseError("empty file, expected a JSON object")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = exc.msg.removesuffix(" at")  # "Invalid control character at"
        raise ParseError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {problem}"
        ) from None
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer literal longer than Python converts
        raise ParseError(f"invalid JSON: {_one_line(str(exc))}") from None


# JSONC (bun.lock) into JSON in one pass: group 1 keeps runs of ordinary text, strings
# included, so that the only other matches are comments and trailing commas (a comma that
# only whitespace and comments separate from a closing bracket), which are dropped.
# Quantifiers are possessive (no backtracking into a comment to find a bracket there), and
# an unterminated string or block comment is taken to the end of its line or of the text
# in one match, so that the work stays linear whatever the input.
_JSONC_STRING = r'"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+(?:"|(?=\n)|\Z)'
_JSONC_COMMENT = r"//[^\n]*+|/\*.*?(?:\*/|\Z)"
_JSONC_TRAILING = rf"(?:\s++|{_JSONC_COMMENT})*+[\]}}]"
_JSONC = re.compile(
    rf'((?:[^"/,]++|{_JSONC_STRING}|/(?![/*])|,(?!{_JSONC_TRAILING}))++)|{_JSONC_COMMENT}|,',
    re.DOTALL,
)


def load_jsonc(text: str) -> Any:
    """Parse JSON with comments and trailing commas (what bun writes)."""
    return load_json(_JSONC.sub(r"\1", text))


_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"

# Could the text hold a YAML anchor or alias? Lockfile writers never emit them; when this
# cheap test says maybe, the composed node graph is checked for shared nodes.
_MAYBE_ALIAS = re.compile(r"(?:^|[\s\[{,:?-])[&*][^\s\]},]", re.MULTILINE)


def load_yaml(text: str, lines_of: str | None = None) -> tuple[Any, dict[str, int]]:
    """Parse YAML with the safe loader only; return the data and the lines of its keys.

    The lines (1-based) are those of the keys of the top-level mapping, or of the mapping
    under its key ``lines_of``: the composed nodes carry them (``start_mark``) at no extra
    cost, as loading is composing then constructing anyway. Tags other than the standard
    ones (for example ``!!python/object/apply``) are rejected by the safe constructor, and
    anchors/aliases (which lockfiles never use, and which could multiply the work) are
    refused.

    Plain strings, mappings and sequences (nearly every node of a lockfile) are built
    here directly, every other node by the safe constructor: several times faster than
    PyYAML's generic construction.
    """
    loader = _YAML_LOADER(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        if node is None:
            return None, {}
        if _MAYBE_ALIAS.search(text):
            _refuse_aliases(node)
        lines = _key_lines(node if lines_of is None else _yaml_child(node, lines_of))
        return _construct(loader, node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "malformed document"
        raise ParseError(f"invalid YAML{where}: {_one_line(problem)}") from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {_one_line(str(exc))}") from None
    except RecursionError:
        raise ParseError("invalid YAML: nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a timestamp out of range, a list
        raise ParseError(f"invalid YAML value: {_one_line(str(exc))}") from None  # as a key
    finally:
        loader.dispose()


def _construct(loader: Any, node: yaml.Node) -> Any:
    kind = type(node)
    if kind is yaml.ScalarNode and node.tag == _STR_TAG:
        return node.value
    if kind is yaml.MappingNode and node.tag == _MAP_TAG:
        mapping: dict[Any, Any] = {}
        for key, value in node.value:
            if key.tag == _MERGE_TAG:  # ``<<:`` merge keys: leave them to PyYAML
                return loader.construct_object(node, deep=True)
            mapping[_construct(loader, key)] = _construct(loader, value)
        return mapping
    if kind is yaml.SequenceNode and node.tag == _SEQ_TAG:
        return [_construct(loader, item) for item in node.value]
    # Booleans, numbers, null, timestamps; unknown tags raise ConstructorError.
    return loader.construct_object(node, deep=True)


def _refuse_aliases(root: yaml.Node) -> None:
    seen: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise ParseError("YAML anchors and aliases are not allowed in a lockfile")
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _key_lines(node: yaml.Node | None) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    lines: dict[str, int] = {}
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode):
            lines.setdefault(str(key.value), key.start_mark.line + 1)
    return lines


def _yaml_child(node: yaml.Node | None, name: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            child: yaml.Node = value
            return child
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ----------------------------------------------------------------------- key lines

# The end of ``"key": {`` or ``"key": [``: how every package entry of package-lock.json and
# bun.lock is written. Searching for this rare ending and stepping back to the key's
# opening quote is several times faster than matching every string literal of the text.
_JSON_KEY_END = re.compile(r'"\s*:\s*[\[{]')


class JsonKeyLines:
    """Where each ``"key": {`` / ``"key": [`` of a JSON text is, found in one pass.

    Look keys up in document order (the order ``json.loads`` keeps): each ``find``
    returns the line of the first occurrence after the previous one found, so a name
    that is a key in many places (nested package-lock v1 entries) gets the right line.
    Every lookup is a dictionary access plus a binary search.
    """

    def __init__(self, text: str) -> None:
        self._lines: list[int] = []
        self._where: dict[str, list[int]] = {}
        self._cursor = -1
        line = 1
        pos = 0
        for match in _JSON_KEY_END.finditer(text):
            end = match.start()
            if text[end - 1] == "\\" and _escaped(text, end):
                continue  # an escaped quote inside a string value
            start = text.rfind('"', 0, end)
            while start > 0 and _escaped(text, start):
                start = text.rfind('"', 0, start)
            if start < 0:
                continue
            key = text[start + 1 : end]
            if "\\" in key:
                key = _json_unescape(key)
            line += text.count("\n", pos, start)
            pos = start
            self._where.setdefault(key, []).append(len(self._lines))
            self._lines.append(line)

    def find(self, key: str) -> int | None:
        """Line of the next occurrence of ``key`` after the last one found, if any."""
        places = self._where.get(key)
        if not places:
            return None
        at = bisect_right(places, self._cursor)
        if at == len(places):
            return None
        self._cursor = places[at]
        return self._lines[self._cursor]


def _escaped(text: str, quote: int) -> bool:
    """Whether the quote at ``quote`` is escaped (an odd run of backslashes before it)."""
    run = 0
    while quote - run - 1 >= 0 and text[quote - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def _json_unescape(raw: str) -> str:
    try:
        value = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return value if isinstance(value, str) else raw


# -------------------------------------------------------------------- dependency graph

K = TypeVar("K", bound=Hashable)


def dev_flags(
    prod_roots: Iterable[K], dev_roots: Iterable[K], children: Callable[[K], Iterable[K]]
) -> dict[K, bool]:
    """``False`` for what production roots reach, ``True`` for what only dev roots reach.

    Nodes that no root reaches are absent. Linear in the size of the graph.
    """
    flags: dict[K, bool] = {}
    for roots, flag in ((prod_roots, False), (dev_roots, True)):
        stack = [root for root in roots if root not in flags]
        for root in stack:
            flags[root] = flag
        while stack:
            for child in children(stack.pop()):
                if child not in flags:
                    flags[child] = flag
                    stack.append(child)
    return flags


# ----------------------------------------------------------------------- collecting


class Collector:
    """Packages in file order, one per (name, version, requirement), first line kept.

    An entry without a name is a ParseError: the file is not the lockfile it claims to be.

    When a package is seen more than once its flags are merged: ``dev`` is ``False`` if
    any occurrence ships in production, ``direct`` is ``True`` if any occurrence is
    direct; an unknown (``None``) flag wins over a known one that does not decide.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._seen: dict[tuple[str, str | None, str | None], list[Any]] = {}

    def add(
        self,
        name: str,
        version: str | None,
        line: int | None,
        *,
        direct: bool | None = None,
        dev: bool | None = None,
        requirement: str | None = None,
    ) -> None:
        if not name:
            where = f" at line {line}" if line is not None else ""
            raise ParseError(f"an entry{where} names no package")
        if version is not None or not requirement:
            requirement = None
        key = (name, version, requirement)
        known = self._seen.get(key)
        if known is None:
            self._seen[key] = [line, direct, dev]
            return
        known[1] = _merge_direct(known[1], direct)
        known[2] = _merge_dev(known[2], dev)

    def packages(self) -> list[Package]:
        return [
            Package(
                name=name,
                version=version,
                ecosystem=ECOSYSTEM,
                location=Location(path=self._path, line=line),
                direct=direct,
                dev=dev,
                requirement=requirement,
            )
            for (name, version, requirement), (line, direct, dev) in self._seen.items()
        ]


def _merge_direct(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def _merge_dev(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True
