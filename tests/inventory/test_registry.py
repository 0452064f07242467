"""Every parser module is registered, and the walk's predicates are cheap and right."""

from __future__ import annotations

import importlib
import pkgutil

import glasshouse.inventory
from glasshouse.inventory.base import Extractor
from glasshouse.inventory.registry import BY_NAME, EXTRACTORS

NOT_PARSERS = {"base", "registry"}


def test_every_parser_module_is_registered() -> None:
    modules = [
        m.name
        for m in pkgutil.iter_modules(glasshouse.inventory.__path__)
        if not m.name.startswith("_") and m.name not in NOT_PARSERS
    ]
    assert modules
    for name in modules:
        extractor = importlib.import_module(f"glasshouse.inventory.{name}").EXTRACTOR
        assert isinstance(extractor, Extractor)
        assert extractor.name == name, "a module's format name is its module name"
        assert BY_NAME.get(name) is extractor, f"{name} is not in the registry"
    assert len(EXTRACTORS) == len(BY_NAME) == len(modules)


def test_predicates_pick_the_right_format() -> None:
    cases = {
        "requirements.txt": "requirements",
        "poetry.lock": "poetrylock",
        "Pipfile.lock": "pipfilelock",
        "uv.lock": "uvlock",
        "pdm.lock": "pdmlock",
        "pylock.toml": "pylock",
        "package-lock.json": "packagelockjson",
        "yarn.lock": "yarnlock",
        "pnpm-lock.yaml": "pnpmlock",
        "bun.lock": "bunlock",
        "go.mod": "gomod",
        "Cargo.lock": "cargolock",
        "Gemfile.lock": "gemfilelock",
        "composer.lock": "composerlock",
        "packages.lock.json": "packageslockjson",
        "packages.config": "packagesconfig",
        "pom.xml": "pomxml",
        "gradle.lockfile": "gradlelockfile",
        "bom.cdx.json": "cyclonedx",
        "app.spdx.json": "spdx",
    }
    for filename, expected in cases.items():
        wanted = [e.name for e in EXTRACTORS if e.matches(filename, f"sub/{filename}")]
        assert wanted == [expected], filename
    for filename in ("README.md", "package.json", "main.go", "Cargo.toml", "setup.py"):
        assert not [e.name for e in EXTRACTORS if e.matches(filename, filename)], filename
