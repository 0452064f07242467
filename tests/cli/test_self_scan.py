"""Glasshouse's own repository passes its own gate: every secret-shaped example in the
code carries a reasoned suppression, and no infrastructure file of ours is misconfigured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_repository_passes_its_own_gate(tmp_path: Path) -> None:
    env = {**os.environ, "GLASSHOUSE_CACHE_DIR": str(tmp_path / "cache"), "CI": "true"}
    done = subprocess.run(
        [sys.executable, "-m", "glasshouse", "scan", str(ROOT), "--offline", "--no-progress"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
