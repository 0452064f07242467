"""Reading OSV documents: every wrong type is a clear error naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from glasshouse.advisories.osv import InvalidAdvisory, parse_advisory
from glasshouse.model import EventKind, RangeType, Severity


def test_reads_ranges_versions_aliases_and_ratings() -> None:
    doc = {
        "id": "GHSA-xxxx",
        "modified": "2024-05-01T00:00:00Z",
        "aliases": ["CVE-2024-1"],
        "details": "\n# Heading line\nmore",
        "database_specific": {"severity": "MODERATE"},
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "demo"},
                "versions": ["1.0", "1.1"],
                "ranges": [
                    {"type": "GIT", "repo": "https://x", "events": [{"introduced": "abc"}]},
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}]},
                    {"type": "SOMETHING_NEW", "events": []},
                ],
            },
            {"ranges": [{"type": "GIT", "events": []}]},
        ],
    }
    adv = parse_advisory(doc)
    assert adv.summary == "Heading line"
    assert adv.database_severity is Severity.MEDIUM
    (affected,) = adv.affected
    assert affected.versions == ("1.0", "1.1")
    assert [r.type for r in affected.ranges] == [RangeType.GIT, RangeType.ECOSYSTEM]
    assert affected.ranges[1].events[1].kind is EventKind.FIXED


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ([], "document"),
        ({"modified": "x"}, "id"),
        ({"id": 3}, "id"),
        ({"id": "A", "aliases": "CVE-1"}, "aliases"),
        ({"id": "A", "affected": [{"package": {"name": "x"}}]}, "ecosystem"),
        (
            {
                "id": "A",
                "affected": [{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": {}}],
            },
            "ranges",
        ),
        (
            {
                "id": "A",
                "affected": [
                    {
                        "package": {"ecosystem": "PyPI", "name": "x"},
                        "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": 2}]}],
                    }
                ],
            },
            "fixed",
        ),
        (
            {
                "id": "A",
                "affected": [
                    {
                        "package": {"ecosystem": "PyPI", "name": "x"},
                        "ranges": [
                            {"type": "ECOSYSTEM", "events": [{"fixed": "1", "introduced": "0"}]}
                        ],
                    }
                ],
            },
            "exactly one key",
        ),
        ({"id": "A", "severity": [{"type": "CVSS_V3"}]}, "score"),
        ({"id": "A", "references": [{"url": 5}]}, "url"),
    ],
)
def test_wrong_types_name_the_field(doc: Any, field: str) -> None:
    with pytest.raises(InvalidAdvisory, match=field):
        parse_advisory(doc)
