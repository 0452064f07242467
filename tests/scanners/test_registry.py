"""Every scanner module is registered, and each honours the Scanner interface."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import glasshouse.scanners
from glasshouse.scanners.registry import SCANNERS

HELPERS = {"base", "registry", "lockfiles"}


def test_every_scanner_module_is_registered() -> None:
    registered = {type(s) for s in SCANNERS}
    for info in pkgutil.iter_modules(glasshouse.scanners.__path__):
        if info.name in HELPERS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"glasshouse.scanners.{info.name}")
        classes = [
            c
            for _, c in inspect.getmembers(module, inspect.isclass)
            if c.__module__ == module.__name__ and hasattr(c, "run") and hasattr(c, "wants")
        ]
        assert classes, f"scanners/{info.name}.py defines no scanner"
        for cls in classes:
            assert cls in registered, f"{cls.__name__} is not in SCANNERS"


def test_scanner_names_are_unique() -> None:
    names = [s.name for s in SCANNERS]
    assert len(names) == len(set(names))
