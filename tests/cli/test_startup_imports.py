"""`glasshouse scan` runs in every pipeline: its start must not pay for the server's
libraries (SQLAlchemy, FastAPI), the HTTP client or rarely needed parsers."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "fastapi", "httpx", "uvicorn", "argon2", "cyclonedx", "hcl2", "lark")


def test_importing_the_cli_loads_none_of_the_heavy_libraries() -> None:
    code = (
        "import sys, glasshouse.cli.main\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == ""


def test_the_lazy_commands_are_listed_and_run() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "glasshouse", "server", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "create-user" in done.stdout
