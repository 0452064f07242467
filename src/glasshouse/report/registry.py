"""Every report format, in one table: name -> function from a report to text."""

from __future__ import annotations

from collections.abc import Callable

from glasshouse.model import Report
from glasshouse.report import gitlab, html, json_report, junit, markdown, sarif, table


def _cyclonedx(report: Report) -> str:
    # cyclonedx-python-lib takes a tenth of a second to import: only when asked for.
    from glasshouse.report import cyclonedx

    return cyclonedx.render(report)


RENDERERS: dict[str, Callable[[Report], str]] = {
    "table": table.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "markdown": markdown.render,
    "html": html.render,
    "cyclonedx": _cyclonedx,
    "gitlab-dependency-scanning": gitlab.render_dependency_scanning,
    "gitlab-secret-detection": gitlab.render_secret_detection,
}
