"""Findings from any SARIF 2.1.0 producer (Semgrep, CodeQL, Bandit, Checkov...).

``read_sarif(path, root)`` turns every result into one ``FindingKind.CODE`` finding, so the
same policy judges them as Glasshouse's own. ``document`` holds the mapping, ``severity``
the severity rules, ``uris`` the path rules.
"""

from glasshouse.sarif_import.document import SUPPRESSED_TAG, SarifImport, parse_sarif
from glasshouse.sarif_import.reader import MAX_BYTES, read_sarif

__all__ = ["MAX_BYTES", "SUPPRESSED_TAG", "SarifImport", "parse_sarif", "read_sarif"]
