"""Talking to the glass house from the CLI: upload a run, fetch the gate's configuration,
ask for a waiver. Where a run comes from is read from the CI environment (GitHub
Actions, GitLab CI, Jenkins), passed in explicitly; nothing here prints."""

from __future__ import annotations

import gzip
import json
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:  # imported when a client is made: `glasshouse scan` alone never needs it
    import httpx

from glasshouse import __version__

TOKEN_VARIABLE = "GLASSHOUSE_TOKEN"  # noqa: S105 - the name of a variable, not a token
RETRIES = 3
SIGNED_RUN_TYPE = "application/vnd.glasshouse.signed-run+json"  # the report and its decision


class ClientError(Exception):
    """One line: which server, and what went wrong."""


@dataclass(frozen=True, slots=True)
class RunContext:
    run_id: str
    branch: str
    commit: str | None = None
    repository: str | None = None
    pipeline_url: str | None = None
    ci: str | None = None
    target_branch: str | None = None  # the branch a pull/merge request goes into

    def headers(self) -> dict[str, str]:
        values = {
            "Glasshouse-Run-Id": self.run_id,
            "Glasshouse-Branch": self.branch,
            "Glasshouse-Commit": self.commit,
            "Glasshouse-Repository": self.repository,
            "Glasshouse-Pipeline-Url": self.pipeline_url,
            "Glasshouse-Ci": self.ci,
        }
        return {k: v for k, v in values.items() if v}


def _git(path: Path, *args: str) -> str | None:
    root = path if path.is_dir() else path.parent
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = result.stdout.strip()
    return value if result.returncode == 0 and value else None


def run_context(environ: Mapping[str, str], path: Path) -> RunContext:
    """Where this run comes from. ``GLASSHOUSE_RUN_ID`` and ``GLASSHOUSE_BRANCH`` override."""
    env = {k: v for k, v in environ.items() if v}
    ctx: RunContext
    if env.get("GITHUB_ACTIONS") == "true":
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        repo = env.get("GITHUB_REPOSITORY", "")
        run = env.get("GITHUB_RUN_ID", "")
        attempt, job = env.get("GITHUB_RUN_ATTEMPT", "1"), env.get("GITHUB_JOB", "")
        ctx = RunContext(
            run_id=f"github:{repo}:{run}:{attempt}:{job}",
            branch=env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME", ""),
            commit=env.get("GITHUB_SHA"),
            repository=f"{server}/{repo}" if repo else None,
            pipeline_url=f"{server}/{repo}/actions/runs/{run}" if repo and run else None,
            ci="github-actions",
            target_branch=env.get("GITHUB_BASE_REF"),
        )
    elif env.get("GITLAB_CI") == "true":
        ctx = RunContext(
            run_id=f"gitlab:{env.get('CI_PROJECT_PATH', '')}:{env.get('CI_JOB_ID', '')}",
            branch=env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
            or env.get("CI_COMMIT_REF_NAME", ""),
            commit=env.get("CI_COMMIT_SHA"),
            repository=env.get("CI_PROJECT_URL"),
            pipeline_url=env.get("CI_JOB_URL") or env.get("CI_PIPELINE_URL"),
            ci="gitlab-ci",
            target_branch=env.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
        )
    elif "JENKINS_URL" in env:
        branch = env.get("CHANGE_BRANCH") or env.get("BRANCH_NAME") or env.get("GIT_BRANCH", "")
        ctx = RunContext(
            run_id=f"jenkins:{env.get('JOB_NAME', '')}:{env.get('BUILD_NUMBER', '')}",
            branch=branch.removeprefix("origin/"),
            commit=env.get("GIT_COMMIT"),
            repository=env.get("GIT_URL"),
            pipeline_url=env.get("BUILD_URL"),
            ci="jenkins",
            target_branch=env.get("CHANGE_TARGET"),
        )
    else:
        ctx = RunContext(
            run_id=f"local:{uuid.uuid4()}",
            branch=_git(path, "rev-parse", "--abbrev-ref", "HEAD") or "",
            commit=_git(path, "rev-parse", "HEAD"),
            ci=None,
        )
    if not ctx.branch or ctx.branch == "HEAD":
        ctx = _replace(ctx, branch=_git(path, "rev-parse", "--abbrev-ref", "HEAD") or "unknown")
    if env.get("GLASSHOUSE_RUN_ID"):
        ctx = _replace(ctx, run_id=env["GLASSHOUSE_RUN_ID"])
    if env.get("GLASSHOUSE_BRANCH"):
        ctx = _replace(ctx, branch=env["GLASSHOUSE_BRANCH"])
    return ctx


def _replace(ctx: RunContext, **changes: Any) -> RunContext:
    return replace(ctx, **changes)


def check_url(url: str) -> str:
    """HTTPS, or plain HTTP on a loopback address; returns the URL without a trailing slash."""
    parts = urlsplit(url)
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ClientError(f"{url}: not an http(s) URL")
    if parts.scheme == "http" and not loopback:
        raise ClientError(f"{url}: use https (plain http only on a loopback address)")
    return url.rstrip("/")


class Client:
    def __init__(self, url: str, token: str, *, timeout: float = 60.0) -> None:
        if not token:
            raise ClientError(f"no API token: set {TOKEN_VARIABLE}")
        self.url = check_url(url)
        import httpx

        self._http = httpx.Client(
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {token}",
                "User-Agent": f"glasshouse/{__version__}",
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Retries connection failures and 5xx answers (with backoff), never 4xx."""
        import httpx

        last = ""
        for attempt in range(RETRIES):
            try:
                response = self._http.request(method, self.url + path, **kwargs)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 500:
                    return response
                last = f"HTTP {response.status_code}"
            if attempt + 1 < RETRIES:
                time.sleep(0.5 * 2**attempt)
        raise ClientError(f"{self.url}: {last} (after {RETRIES} attempts)")

    @staticmethod
    def _detail(response: httpx.Response) -> str:
        try:
            detail = response.json().get("detail")
        except ValueError:
            return response.text[:300]
        if isinstance(detail, dict):
            return str(detail.get("message", detail))
        return str(detail)

    def project(self, slug: str | None) -> str:
        """The project to use: the one given, or the CI token's only project."""
        if slug:
            return slug
        response = self._request("GET", "/api/v1/whoami")
        if response.status_code != 200:
            raise ClientError(f"{self.url}: {self._detail(response)}")
        projects = response.json().get("projects", [])
        if len(projects) != 1:
            raise ClientError("name the project with --project (this token sees several)")
        return str(projects[0])

    def upload(
        self,
        slug: str,
        report_json: str,
        context: RunContext,
        scanners: tuple[str, ...],
        envelope_json: str | None = None,
    ) -> dict[str, Any]:
        """Send the report (with its signed decision, when given); a replay of the same
        run with the same report is success. A signed run's answer carries the receipt."""
        headers = {
            **context.headers(),
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Glasshouse-Scanners": ",".join(scanners),
        }
        data = report_json
        if envelope_json is not None:
            headers["Content-Type"] = SIGNED_RUN_TYPE
            data = json.dumps({"report": report_json, "envelope": json.loads(envelope_json)})
        body = gzip.compress(data.encode("utf-8"), compresslevel=6)
        response = self._request(
            "POST", f"/api/v1/projects/{quote(slug)}/runs", content=body, headers=headers
        )
        if response.status_code == 201:
            result: dict[str, Any] = response.json()
            return result
        if response.status_code == 409:
            detail = response.json().get("detail", {})
            if isinstance(detail, dict) and detail.get("identical"):
                return {"id": detail.get("run"), "replayed": True, "receipt": detail.get("receipt")}
        raise ClientError(
            f"{self.url}: upload refused (HTTP {response.status_code}): {self._detail(response)}"
        )

    def gate(self, slug: str, branch: str | None) -> dict[str, Any]:
        params = {"branch": branch} if branch else {}
        response = self._request("GET", f"/api/v1/projects/{quote(slug)}/gate", params=params)
        if response.status_code != 200:
            raise ClientError(
                f"{self.url}: cannot read the gate of {slug!r} "
                f"(HTTP {response.status_code}): {self._detail(response)}"
            )
        result: dict[str, Any] = response.json()
        return result

    def evidence_pack(self, start: str, end: str, framework: str) -> bytes:
        """The evidence pack (zip) of the period, built by the server."""
        response = self._request(
            "GET",
            "/api/v1/evidence/pack",
            params={"from": start, "to": end, "framework": framework},
        )
        if response.status_code != 200:
            raise ClientError(
                f"{self.url}: no evidence pack (HTTP {response.status_code}): "
                f"{self._detail(response)}"
            )
        return response.content

    def request_waiver(self, slug: str, fields: dict[str, Any]) -> dict[str, Any]:
        response = self._request("POST", f"/api/v1/projects/{quote(slug)}/waivers", json=fields)
        if response.status_code != 201:
            raise ClientError(
                f"{self.url}: waiver refused (HTTP {response.status_code}): "
                f"{self._detail(response)}"
            )
        result: dict[str, Any] = response.json()
        return result
