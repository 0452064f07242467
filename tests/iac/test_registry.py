"""Every IaC adapter and check module is registered; check ids are unique and apply to
a format some adapter produces."""

from __future__ import annotations

import importlib
import pkgutil
import re

import glasshouse.iac.adapters
import glasshouse.iac.checks
from glasshouse.iac.registry import ADAPTERS, CHECKS, DIRECTORY_ADAPTERS


def test_every_adapter_module_is_registered() -> None:
    for info in pkgutil.iter_modules(glasshouse.iac.adapters.__path__):
        module = importlib.import_module(f"glasshouse.iac.adapters.{info.name}")
        adapters = [v for k, v in vars(module).items() if k.endswith("ADAPTER")]
        assert adapters, f"adapters/{info.name}.py exposes no ADAPTER"
        for adapter in adapters:
            assert adapter in (*ADAPTERS, *DIRECTORY_ADAPTERS), f"{adapter.format} is missing"


def test_every_check_module_is_registered() -> None:
    for info in pkgutil.iter_modules(glasshouse.iac.checks.__path__):
        module = importlib.import_module(f"glasshouse.iac.checks.{info.name}")
        for check in module.CHECKS:
            assert check in CHECKS, f"{check.id} is not in CHECKS"


def test_check_ids_are_unique_and_read_a_known_format() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    formats = {a.format for a in (*ADAPTERS, *DIRECTORY_ADAPTERS)}
    for check in CHECKS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", check.id), check.id
        assert check.format in formats, check.id
        assert check.fix.strip(), check.id
