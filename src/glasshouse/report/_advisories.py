"""Where an advisory id is published, for reporters that link or type identifiers.

A CVE is published by the NVD, a GHSA by the GitHub Advisory Database; every other id
Glasshouse meets (PYSEC, GO, RUSTSEC, OSV...) comes from the OSV database, which also
serves the first two under its own URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class Publisher:
    kind: str  # "cve", "ghsa" or "osv": GitLab identifier types
    name: str  # the database, as CycloneDX `source.name`
    url: str  # the advisory's page


def osv_url(advisory_id: str) -> str:
    return f"https://osv.dev/vulnerability/{quote(advisory_id, safe='')}"


def publisher(advisory_id: str) -> Publisher:
    upper = advisory_id.upper()
    if upper.startswith("CVE-"):
        return Publisher("cve", "NVD", f"https://nvd.nist.gov/vuln/detail/{quote(upper, safe='')}")
    if upper.startswith("GHSA-"):
        slug = quote(advisory_id, safe="")
        return Publisher("ghsa", "GitHub Advisories", f"https://github.com/advisories/{slug}")
    return Publisher("osv", "OSV", osv_url(advisory_id))
