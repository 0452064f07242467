"""Shared fixtures: where the real-world data of ../shared lives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


# .ci/run sets GLASSHOUSE_REQUIRE_SERVICES=1: there, a test that would skip because a
# service or tool the CI machine must have is missing fails instead, so a broken CI
# machine cannot pass by skipping (helm is not among them: it cannot be installed here).
REQUIRED_IN_CI = ("postgresql", "chromium", "semgrep", "kubectl")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not (report.skipped and os.environ.get("GLASSHOUSE_REQUIRE_SERVICES")):
        return
    if hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = str(longrepr[-1]) if isinstance(longrepr, tuple) else str(longrepr)
    if any(name in reason.lower() for name in REQUIRED_IN_CI):
        report.outcome = "failed"
        report.longrepr = f"required in CI (GLASSHOUSE_REQUIRE_SERVICES=1) but skipped: {reason}"


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
