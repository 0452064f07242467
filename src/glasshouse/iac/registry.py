"""Every IaC adapter and check, in one table each. A test checks that every module
under ``adapters/`` and ``checks/`` is listed here."""

from __future__ import annotations

from glasshouse.iac.adapter import Adapter
from glasshouse.iac.adapters import github_actions as github_actions_adapter
from glasshouse.iac.adapters import kubernetes as kubernetes_adapter
from glasshouse.iac.check import Check
from glasshouse.iac.checks import github_actions as github_actions_checks
from glasshouse.iac.checks import kubernetes as kubernetes_checks

ADAPTERS: tuple[Adapter, ...] = (
    github_actions_adapter.ADAPTER,
    kubernetes_adapter.ADAPTER,
)
CHECKS: tuple[Check, ...] = (
    *github_actions_checks.CHECKS,
    *kubernetes_checks.CHECKS,
)
