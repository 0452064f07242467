"""The infrastructure gate end to end: a real-world-shaped tree whose misconfigurations
are each found by `glasshouse scan DIR --offline --format json`, with file and line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

GLASSHOUSE = [sys.executable, "-m", "glasshouse"]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
  namespace: ops
spec:
  template:
    spec:
      containers:
        - name: agent
          image: registry.example.com/agent:1.4.2
          securityContext:
            privileged: true
      volumes:
        - name: host
          hostPath:
            path: /var/run
"""

WORKFLOW = """\
name: preview
on:
  pull_request_target:
    types: [opened]
permissions:
  contents: read
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: make preview
"""


DOCKERFILE = """\
FROM python:3.12-slim
RUN curl -fsSL https://get.example.com/install.sh | sh
COPY . /app
CMD ["python", "/app/main.py"]
"""


def scan(tree: Path, cache: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    env = {**os.environ, "GLASSHOUSE_CACHE_DIR": str(cache), "CI": "true"}
    result = subprocess.run(
        [*GLASSHOUSE, "scan", str(tree), "--offline", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def found(report: dict) -> set[tuple[str, str, int]]:  # type: ignore[type-arg]
    return {
        (f["rule_id"], f["location"]["path"], f["location"]["line"])
        for f in report["findings"]
        if f["kind"] == "misconfiguration"
    }


def test_each_planted_misconfiguration_is_found_with_file_and_line(tmp_path: Path) -> None:
    tree = tmp_path / "platform"
    (tree / "k8s").mkdir(parents=True)
    (tree / ".github" / "workflows").mkdir(parents=True)
    (tree / "k8s" / "agent.yaml").write_text(DEPLOYMENT)
    (tree / ".github" / "workflows" / "preview.yml").write_text(WORKFLOW)
    (tree / "Dockerfile").write_text(DOCKERFILE)
    code, report = scan(tree, tmp_path / "cache")
    assert code == 1
    assert {
        ("k8s-privileged-container", "k8s/agent.yaml", 13),
        ("k8s-host-path-volume", "k8s/agent.yaml", 17),
        ("gha-pr-target-head-checkout", ".github/workflows/preview.yml", 13),
        ("docker-curl-pipe-shell", "Dockerfile", 2),
    } <= found(report)
    assert any(r == "docker-root-user" and p == "Dockerfile" for r, p, _ in found(report))
    blocking = {f["rule_id"] for f in report["findings"] if f["gate"]["disposition"] == "blocking"}
    assert {"k8s-privileged-container", "gha-pr-target-head-checkout"} <= blocking


def test_broken_manifest_is_incomplete_and_the_rest_is_scanned(tmp_path: Path) -> None:
    tree = tmp_path / "platform"
    tree.mkdir()
    (tree / "agent.yaml").write_text(DEPLOYMENT)
    (tree / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nspec: [unclosed\n")
    code, report = scan(tree, tmp_path / "cache")
    assert code == 1  # the privileged pod still blocks
    problems = [(p["path"], p["blocking"]) for p in report["problems"] if p["scanner"] == "iac"]
    assert problems == [("broken.yaml", True)]
    assert ("k8s-privileged-container", "agent.yaml", 13) in found(report)
