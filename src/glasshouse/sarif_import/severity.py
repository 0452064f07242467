"""Glasshouse severity for a SARIF result: the first of these that the file states wins.

1. ``security-severity`` (a CVSS-style score, as GitHub code scanning reads it) in the
   result's ``properties``, then in its rule's ``properties``: a number from 0 to 10, as a
   string or a JSON number, through ``Severity.from_score``; 0.0 ("none") is LOW. Anything
   else there (``"high"``, ``"11"``, ``NaN``) is ignored and the next source decides.
2. ``level``, of the result, then of the rule's ``defaultConfiguration``:
   ``error`` -> HIGH, ``warning`` -> MEDIUM, ``note`` -> LOW, ``none`` -> LOW.
   ``none`` means "not a problem, just information"; LOW keeps it visible without letting
   a policy that blocks unknown severities block it.
3. What a well-known tool writes of its own, checked against its real output:
   Bandit's ``properties.issue_severity`` (``HIGH``/``MEDIUM``/``LOW``). Bandit omits
   ``level`` for MEDIUM issues (``warning`` being SARIF's default), so this is what rates
   them.
4. A result whose ``kind`` is ``informational``, ``review`` or ``open`` has SARIF's default
   level ``none``: LOW.
5. Otherwise UNKNOWN. SARIF's own default level for a failing result is ``warning``, but a
   tool that states nothing has not rated the result: Glasshouse says so, and the policy's
   ``unknown_blocks`` decides.

Results of ``kind`` ``pass`` or ``notApplicable`` state that a check passed or did not
apply: they are not findings and are not imported.
"""

from __future__ import annotations

import math
from typing import Any

from glasshouse.model import Severity
from glasshouse.sarif_import._access import SarifError

LEVELS: dict[str, Severity] = {
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "note": Severity.LOW,
    "none": Severity.LOW,
}
NOT_FINDINGS = frozenset({"pass", "notApplicable"})
KINDS = frozenset({"fail", "informational", "review", "open"}) | NOT_FINDINGS
SECURITY_SEVERITY = "security-severity"


def score_severity(properties: dict[str, Any] | None) -> Severity | None:
    """``properties["security-severity"]`` as a severity, or ``None`` if absent or unusable."""
    if not properties:
        return None
    value = properties.get(SECURITY_SEVERITY)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            score = float(value.strip())
        except ValueError:
            return None
    elif isinstance(value, int | float):
        score = float(value)
    else:
        return None
    if not math.isfinite(score) or not 0.0 <= score <= 10.0:
        return None
    return Severity.LOW if score == 0.0 else Severity.from_score(score)


def check_level(level: str | None, pointer: str) -> str | None:
    if level is not None and level not in LEVELS:
        raise SarifError(pointer, f"unknown level {level[:40]!r}")
    return level


def tool_severity(tool: str, properties: dict[str, Any] | None) -> Severity | None:
    """A severity in a well-known tool's own result properties."""
    if not properties:
        return None
    if tool == "bandit":
        value = properties.get("issue_severity")
        if isinstance(value, str) and value.strip().upper() in ("HIGH", "MEDIUM", "LOW"):
            return Severity[value.strip().upper()]
    return None


def severity(
    *,
    result_properties: dict[str, Any] | None,
    rule_score: Severity | None,
    result_level: str | None,
    rule_level: str | None,
    kind: str,
    tool: str,
) -> Severity:
    found = score_severity(result_properties)
    if found is None:
        found = rule_score
    if found is not None:
        return found
    level = result_level or rule_level
    if level is not None:
        return LEVELS[level]
    found = tool_severity(tool, result_properties)
    if found is not None:
        return found
    if kind != "fail":
        return Severity.LOW
    return Severity.UNKNOWN
