"""Every scanner a gate run uses, in one table. A test checks each module is listed."""

from __future__ import annotations

from glasshouse.scanners.base import Scanner
from glasshouse.scanners.dependencies import DependencyScanner
from glasshouse.scanners.iac import IacScanner
from glasshouse.scanners.secrets import SecretScanner

SCANNERS: tuple[Scanner, ...] = (DependencyScanner(), SecretScanner(), IacScanner())
