"""Shared fixtures: where the real-world data of ../shared lives."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


OSV_ECOSYSTEMS = ("PyPI", "Go", "crates.io")


@pytest.fixture(scope="session")
def osv_exports(shared_dir: Path) -> dict[str, Path]:
    """The real OSV exports of ../shared/osv, by ecosystem."""
    return {eco: shared_dir / "osv" / eco / "all.zip" for eco in OSV_ECOSYSTEMS}


@pytest.fixture(scope="session")
def imported_cache(tmp_path_factory: pytest.TempPathFactory, osv_exports: dict[str, Path]) -> Path:
    """A cache directory holding the three real exports, imported once per session."""
    from glasshouse.advisories.importer import import_path
    from glasshouse.advisories.store import AdvisoryStore

    cache = tmp_path_factory.mktemp("osv-cache")
    with AdvisoryStore.in_dir(cache) as store:
        for path in osv_exports.values():
            result = import_path(store, path)
            assert result.errors == []
    return cache
