"""Expressions into values, with UNKNOWN for whatever cannot be known before apply.

The evaluator walks a ``syntax`` tree; it never runs code. Root names are resolved by
the caller (``root``): ``var`` and ``local`` are namespaces of the module instance,
``count``/``each``/iterators are bindings, and everything Terraform computes (resource
and data source attributes) is UNKNOWN. UNKNOWN propagates: an operation with an
UNKNOWN operand is UNKNOWN, except where the answer does not depend on it
(``true || x``, ``length`` of a list of unknown elements, a conditional whose branches
agree).

``evaluate`` never raises for user input: an expression Terraform would reject, one it
cannot parse, or one that exceeds the work budget yields UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from glasshouse.iac.model import UNKNOWN
from glasshouse.iac.terraform import functions
from glasshouse.iac.terraform.functions import (
    EvalError,
    Unsupported,
    equal,
    has_unknown,
    to_bool,
    to_number,
    to_string,
)
from glasshouse.iac.terraform.syntax import (
    SPLAT_ITEM,
    Binary,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Invalid,
    Literal,
    ObjectExpr,
    Ref,
    Splat,
    Template,
    TupleExpr,
    Unary,
)

MAX_FOR_ITEMS = 10_000


class Exhausted(Exception):
    """The work budget is spent: everything still to evaluate is UNKNOWN."""


class Budget:
    """Evaluation steps left for one scan of a directory (bounds for-loops and calls)."""

    def __init__(self, steps: int = 2_000_000) -> None:
        self.steps = steps

    def spend(self, steps: int = 1) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise Exhausted


class Namespace:
    """A root name whose attributes are looked up lazily: ``var``, ``local``, ``module``."""

    def __init__(self, lookup: Callable[[str], Any]) -> None:
        self._lookup = lookup

    def attribute(self, name: str) -> Any:
        return self._lookup(name)


def value_of(value: Any) -> Any:
    """A namespace used as a value (``var`` alone) is nothing Terraform allows: UNKNOWN."""
    return UNKNOWN if isinstance(value, Namespace) else value


class Evaluator:
    def __init__(self, root: Callable[[str], Any], budget: Budget | None = None) -> None:
        self._root = root
        self.budget = budget if budget is not None else Budget()

    def evaluate(self, expr: Expr, bindings: Mapping[str, Any] | None = None) -> Any:
        """The value of ``expr``; UNKNOWN for anything unresolvable or rejected."""
        try:
            return value_of(self._eval(expr, dict(bindings or {})))
        except (EvalError, Unsupported, Exhausted, RecursionError):
            return UNKNOWN

    # --- the walk -----------------------------------------------------------------------

    def _eval(self, expr: Expr, env: dict[str, Any]) -> Any:
        self.budget.spend()
        if isinstance(expr, Literal):
            return expr.value
        if isinstance(expr, Ref):
            return env[expr.name] if expr.name in env else self._root(expr.name)
        if isinstance(expr, GetAttr):
            return self._attribute(self._eval(expr.obj, env), expr.name)
        if isinstance(expr, Index):
            return self._index(self._eval(expr.obj, env), self._eval(expr.key, env))
        if isinstance(expr, Template):
            return self._template(expr, env)
        if isinstance(expr, Call):
            return self._call(expr, env)
        if isinstance(expr, Binary):
            return self._binary(expr, env)
        if isinstance(expr, Unary):
            operand = value_of(self._eval(expr.operand, env))
            if operand is UNKNOWN:
                return UNKNOWN
            if expr.op == "!":
                return not to_bool(operand)
            return functions.number(-to_number(operand))
        if isinstance(expr, Conditional):
            return self._conditional(expr, env)
        if isinstance(expr, TupleExpr):
            return [value_of(self._eval(item, env)) for item in expr.items]
        if isinstance(expr, ObjectExpr):
            return self._object(expr, env)
        if isinstance(expr, Splat):
            return self._splat(expr, env)
        if isinstance(expr, ForExpr):
            return self._for(expr, env)
        if isinstance(expr, Invalid):
            return UNKNOWN
        raise EvalError("unknown expression")  # pragma: no cover

    def _attribute(self, obj: Any, name: str) -> Any:
        if isinstance(obj, Namespace):
            return obj.attribute(name)
        if obj is UNKNOWN:
            return UNKNOWN
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
            raise EvalError(f"no attribute {name!r}")
        raise EvalError(f"{functions.type_name(obj)} has no attribute {name!r}")

    def _index(self, obj: Any, key: Any) -> Any:
        key = value_of(key)
        if isinstance(obj, Namespace):
            return UNKNOWN if key is UNKNOWN else obj.attribute(to_string(key))
        if obj is UNKNOWN or key is UNKNOWN:
            return UNKNOWN
        if isinstance(obj, list):
            number = to_number(key)
            if not isinstance(number, int) or not 0 <= number < len(obj):
                raise EvalError(f"index {key} out of range")
            return obj[number]
        if isinstance(obj, dict):
            name = to_string(key)
            if name not in obj:
                raise EvalError(f"no key {name!r}")
            return obj[name]
        raise EvalError(f"cannot index {functions.type_name(obj)}")

    def _template(self, expr: Template, env: dict[str, Any]) -> Any:
        if expr.directive:
            return UNKNOWN
        if len(expr.parts) == 1 and not isinstance(expr.parts[0], str):
            return value_of(self._eval(expr.parts[0], env))
        pieces: list[str] = []
        unknown = False
        for part in expr.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            value = value_of(self._eval(part, env))
            if has_unknown(value):
                unknown = True
            else:
                pieces.append(to_string(value))
        if unknown:
            return UNKNOWN
        if sum(len(p) for p in pieces) > functions.MAX_STRING:
            raise Unsupported("string too long")
        return "".join(pieces)

    def _call(self, expr: Call, env: dict[str, Any]) -> Any:
        if expr.name in ("try", "can"):
            return self._try(expr, env) if expr.name == "try" else self._can(expr, env)
        args = [value_of(self._eval(arg, env)) for arg in expr.args]
        if expr.expand and args:
            last = args.pop()
            if last is UNKNOWN:
                return UNKNOWN
            args.extend(functions.to_list(last))
        self.budget.spend(1 + sum(len(a) for a in args if isinstance(a, list | dict | str)))
        return functions.call(expr.name, args)

    def _try(self, expr: Call, env: dict[str, Any]) -> Any:
        for arg in expr.args:
            try:
                value = value_of(self._eval(arg, env))
            except EvalError:
                continue
            return value
        raise EvalError("try: no argument could be evaluated")

    def _can(self, expr: Call, env: dict[str, Any]) -> Any:
        if len(expr.args) != 1:
            raise EvalError("can takes one argument")
        try:
            value = value_of(self._eval(expr.args[0], env))
        except EvalError:
            return False
        return UNKNOWN if value is UNKNOWN else True

    def _binary(self, expr: Binary, env: dict[str, Any]) -> Any:
        op = expr.op
        left = value_of(self._eval(expr.left, env))
        if op in ("&&", "||"):
            stop = op == "||"  # the left value that decides alone
            if left is not UNKNOWN and to_bool(left) is stop:
                return stop
            right = value_of(self._eval(expr.right, env))
            if right is not UNKNOWN and to_bool(right) is stop:
                return stop
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            return not stop
        right = value_of(self._eval(expr.right, env))
        if op == "==":
            return equal(left, right)
        if op == "!=":
            same = equal(left, right)
            return UNKNOWN if same is UNKNOWN else not same
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        a, b = to_number(left), to_number(right)
        if op == "+":
            return functions.number(a + b)
        if op == "-":
            return functions.number(a - b)
        if op == "*":
            return functions.number(a * b)
        if op in ("/", "%"):
            if b == 0:
                raise EvalError("division by zero")
            return functions.number(a / b if op == "/" else _modulo(a, b))
        comparisons: dict[str, Callable[[float, float], bool]] = {
            "<": lambda x, y: x < y,
            "<=": lambda x, y: x <= y,
            ">": lambda x, y: x > y,
            ">=": lambda x, y: x >= y,
        }
        return comparisons[op](a, b)

    def _conditional(self, expr: Conditional, env: dict[str, Any]) -> Any:
        condition = value_of(self._eval(expr.condition, env))
        if condition is not UNKNOWN:
            chosen = expr.true if to_bool(condition) else expr.false
            return value_of(self._eval(chosen, env))
        # Either branch may be taken: known only if both give the same known value.
        try:
            true = value_of(self._eval(expr.true, env))
            false = value_of(self._eval(expr.false, env))
        except EvalError:
            return UNKNOWN
        return true if equal(true, false) is True else UNKNOWN

    def _object(self, expr: ObjectExpr, env: dict[str, Any]) -> Any:
        out: dict[str, Any] = {}
        unknown_key = False
        for key_expr, value_expr in expr.items:
            key = value_of(self._eval(key_expr, env))
            value = value_of(self._eval(value_expr, env))
            if key is UNKNOWN:
                unknown_key = True
                continue
            out[to_string(key)] = value
        return UNKNOWN if unknown_key else out

    def _splat(self, expr: Splat, env: dict[str, Any]) -> Any:
        source = value_of(self._eval(expr.source, env))
        if source is UNKNOWN:
            return UNKNOWN
        if source is None:
            return []
        items = source if isinstance(source, list) else [source]
        out: list[Any] = []
        for item in items:
            inner = dict(env)
            inner[SPLAT_ITEM] = item
            out.append(value_of(self._eval(expr.each, inner)))
        return out

    def _for(self, expr: ForExpr, env: dict[str, Any]) -> Any:
        collection = value_of(self._eval(expr.collection, env))
        if collection is UNKNOWN:
            return UNKNOWN
        if isinstance(collection, dict):
            pairs: list[tuple[Any, Any]] = [(k, collection[k]) for k in sorted(collection)]
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            raise EvalError(f"cannot iterate over {functions.type_name(collection)}")
        if len(pairs) > MAX_FOR_ITEMS:
            raise Unsupported("for expression over too many elements")
        items: list[Any] = []
        keys: list[Any] = []
        for key, value in pairs:
            inner = dict(env)
            inner[expr.value_var] = value
            if expr.key_var is not None:
                inner[expr.key_var] = key
            if expr.condition is not None:
                keep = value_of(self._eval(expr.condition, inner))
                if keep is UNKNOWN:
                    return UNKNOWN  # which elements remain cannot be known
                if not to_bool(keep):
                    continue
            if expr.key is not None:
                keys.append(value_of(self._eval(expr.key, inner)))
            items.append(value_of(self._eval(expr.value, inner)))
        if expr.key is None:
            return items
        return _group(keys, items, grouping=expr.grouping)


def _group(keys: list[Any], items: list[Any], *, grouping: bool) -> Any:
    if any(k is UNKNOWN for k in keys):
        return UNKNOWN
    out: dict[str, Any] = {}
    for key, item in zip(keys, items, strict=True):
        name = to_string(key)
        if grouping:
            out.setdefault(name, []).append(item)
        elif name in out:
            raise EvalError(f"duplicate key {name!r} in a for expression")
        else:
            out[name] = item
    return out


def _modulo(a: float, b: float) -> float:
    # Terraform's % keeps the sign of the dividend (like Go), not of the divisor.
    result = abs(a) % abs(b)
    return -result if a < 0 else result
