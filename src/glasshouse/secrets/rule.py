"""The shape of one secret rule. The catalogue (``rules/*.toml``) is data; this is the
contract between it, the detector and the shared rule-example test.

Patterns are written in the syntax common to Python ``re``, RE2 and Hyperscan: no
look-arounds, no back-references. The secret is the named group ``secret`` when the
pattern has one, else the whole match.
"""

from __future__ import annotations

from dataclasses import dataclass

from glasshouse.model import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # stable, kebab-case: "github-pat-classic"; rule ids of findings and waivers
    title: str  # "GitHub personal access token (classic)"
    severity: Severity
    pattern: str
    keywords: tuple[str, ...] = ()  # lowercase; a candidate must contain one (cheap pre-filter)
    entropy: float | None = None  # the secret's minimal Shannon entropy, bits per character
    allow: tuple[str, ...] = ()  # regexes: a secret matching one is a placeholder, not a finding
    validator: str | None = None  # a checksum check by name (e.g. "github-crc32")
    requires: str | None = None  # another rule id that must match within ``window`` lines
    window: int = 5
    fix: str = "Revoke the credential, issue a new one, and remove it from the code and history."
    examples: tuple[str, ...] = ()  # text in which the rule must find its secret
    decoys: tuple[str, ...] = ()  # text in which it must find nothing
