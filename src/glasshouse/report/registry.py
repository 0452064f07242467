"""Every report format, in one table: name -> function from a report to text."""

from __future__ import annotations

from collections.abc import Callable

from glasshouse.model import Report
from glasshouse.report import cyclonedx, gitlab, html, json_report, junit, markdown, sarif, table

RENDERERS: dict[str, Callable[[Report], str]] = {
    "table": table.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "markdown": markdown.render,
    "html": html.render,
    "cyclonedx": cyclonedx.render,
    "gitlab-dependency-scanning": gitlab.render_dependency_scanning,
    "gitlab-secret-detection": gitlab.render_secret_detection,
}
