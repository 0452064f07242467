"""Every report format, in one table: name -> function from a report to text."""

from __future__ import annotations

from collections.abc import Callable

from glasshouse.model import Report
from glasshouse.report import json_report, table

RENDERERS: dict[str, Callable[[Report], str]] = {
    "table": table.render,
    "json": json_report.render,
}
