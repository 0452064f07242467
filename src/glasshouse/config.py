"""Where Glasshouse keeps its files, and the few settings read from the environment.

Settings are read here once and passed explicitly; no module reads the environment on
its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

DEFAULT_OSV_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_MAX_DB_AGE_HOURS = 24.0


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    override = environ.get("GLASSHOUSE_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir("glasshouse", appauthor=False))


def osv_base_url(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get("GLASSHOUSE_OSV_URL") or DEFAULT_OSV_BASE_URL


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """CI systems set ``CI`` (GitHub Actions, GitLab CI, CircleCI...) or ``BUILD_ID`` (Jenkins)."""
    value = environ.get("CI", "").strip().lower()
    return value not in ("", "0", "false", "no") or "JENKINS_URL" in environ


# Who runs the gate, as CI systems name the person behind a pipeline run.
_ACTOR_VARIABLES = (
    "GITHUB_ACTOR",  # GitHub Actions
    "GITLAB_USER_LOGIN",  # GitLab CI
    "BUILD_USER_ID",  # Jenkins (build-user-vars plugin)
    "BUILDKITE_BUILD_CREATOR",
    "CIRCLE_USERNAME",
    "USER",
)


def ci_actor(environ: Mapping[str, str] = os.environ) -> str:
    for name in _ACTOR_VARIABLES:
        value = environ.get(name, "").strip()
        if value:
            return value if name == "USER" else f"{value} ({name})"
    return "unknown"
