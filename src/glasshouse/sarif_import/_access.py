"""Typed access to untrusted SARIF JSON; a wrong shape raises ``SarifError`` with its pointer.

Pointers read like ``runs[0].results[3].locations``: the path a person would type to
find the value, built only when something is wrong (building them for every value would
cost more than the import). ``null`` counts as absent everywhere: SARIF never gives it a
meaning of its own below the top level.
"""

from __future__ import annotations

from typing import Any


class SarifError(Exception):
    """A value of the wrong type or out of range, at ``pointer``."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer}: {message}")
        self.pointer = pointer
        self.message = message


def expect_obj(value: object, pointer: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SarifError(pointer, f"is {_kind(value)}, not an object")
    return value


def opt_obj(obj: dict[str, Any], key: str, pointer: str) -> dict[str, Any] | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SarifError(f"{pointer}.{key}", f"is {_kind(value)}, not an object")
    return value


def opt_arr(obj: dict[str, Any], key: str, pointer: str) -> list[Any] | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise SarifError(f"{pointer}.{key}", f"is {_kind(value)}, not an array")
    return value


def opt_str(obj: dict[str, Any], key: str, pointer: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SarifError(f"{pointer}.{key}", f"is {_kind(value)}, not a string")
    return value


def opt_int(obj: dict[str, Any], key: str, pointer: str, *, minimum: int) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SarifError(f"{pointer}.{key}", f"is {_kind(value)}, not an integer")
    if value < minimum:
        raise SarifError(f"{pointer}.{key}", f"is {value}, less than {minimum}")
    return value


def text_of(obj: dict[str, Any], key: str, pointer: str) -> str | None:
    """``obj[key].text``: the plain text of a SARIF message or multiformat string."""
    holder = opt_obj(obj, key, pointer)
    if holder is None:
        return None
    return opt_str(holder, "text", f"{pointer}.{key}")


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # not reachable from json.loads
