"""Every IaC adapter and check, in one table each. A test checks that every module
under ``adapters/`` and ``checks/`` is listed here."""

from __future__ import annotations

from glasshouse.iac.adapter import Adapter
from glasshouse.iac.check import Check

ADAPTERS: tuple[Adapter, ...] = ()
CHECKS: tuple[Check, ...] = ()
