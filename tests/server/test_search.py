"""The findings search gives the same answers whichever way it reads the database: the
trigram index (pg_trgm, FTS5), the per-state walks, or a plain scan."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import select

from glasshouse.model import Severity
from glasshouse.storage import queries, search
from glasshouse.storage.models import Finding, Project

from . import reports
from .conftest import World

TEXTS = [
    "django",
    "DJANGO",
    "requirements",
    "GHSA-mixed",
    "100%",
    "a_b",
    'say "hi"',
    "Ünïcode",
    "sr",  # shorter than a trigram: a plain LIKE
    "x",
    "nothing like it",
    "in pkg1",
]


def populate(world: World) -> None:
    shop, blog = world.ci_token("shop"), world.ci_token("blog")
    found = [
        reports.vuln("django", "GHSA-mixed-Case-0001", Severity.CRITICAL),
        reports.vuln("flask", "GHSA-flsk-0002-0002", Severity.LOW, path="src/requirements.txt"),
        reports.vuln("a_b", "PYSEC-100%-x", Severity.MEDIUM),
        reports.vuln('say "hi"', "GHSA-quote-0003", Severity.HIGH),
        reports.vuln("Ünïcode", "GHSA-unic-0004", Severity.HIGH),
        reports.secret("config/srv.env"),
        *reports.many(30),
    ]
    for token, slug, branch in (
        (shop, "shop", "main"),
        (shop, "shop", "dev"),
        (blog, "blog", "main"),
    ):
        data = reports.report(found)
        answer = world.upload(token, slug, reports.body(data), f"{slug}-{branch}", branch=branch)
        assert answer.status_code == 201, answer.text
    # some findings fixed, some triaged
    fewer = reports.report(found[3:])
    assert world.upload(shop, "shop", reports.body(fewer), "shop-main-2").status_code == 201
    with world.db.write() as session:
        for finding in session.scalars(
            select(Finding).where(Finding.rule_id.like("GHSA-test-000%"))
        ):
            finding.state = "confirmed"  # state only matters to the filter here


def expected(world: World, visible: set[int] | None, flt: queries.FindingFilter) -> list[int]:
    with world.db.read() as session:
        rows = session.scalars(select(Finding)).all()
    text = (flt.text or "").lower()

    def keep(f: Finding) -> bool:
        fields = (f.title, f.path, f.rule_id, f.package or "")
        return (
            (visible is None or f.project_id in visible)
            and (flt.projects is None or f.project_id in flt.projects)
            and (not flt.branch or f.branch == flt.branch)
            and (not flt.states or f.state in flt.states)
            and f.severity >= flt.min_severity
            and (not flt.kind or f.kind == flt.kind)
            and (not flt.rule or f.rule_id == flt.rule)
            and (not text or any(text in v.lower() for v in fields))
            and (flt.before is None or f.id < flt.before)
        )

    return sorted((f.id for f in rows if keep(f)), reverse=True)[: flt.limit]


@pytest.mark.parametrize("indexed", [True, False], ids=["index", "no-index"])
def test_every_way_of_searching_agrees_with_a_plain_filter(
    world: World, indexed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(world)
    if not indexed:
        monkeypatch.setattr(search, "has_index", lambda _session: False)
    with world.db.read() as session:
        shop = session.scalar(select(Project.id).where(Project.slug == "shop"))
        assert shop is not None
        assert search.has_index(session) is indexed
    filters: list[dict[str, Any]] = [
        {"text": t, "states": s, "limit": limit}
        for t, s, limit in itertools.product(
            TEXTS, [queries.OPEN_STATES, (), ("fixed",), ("confirmed",)], [50, 3]
        )
    ]
    filters += [
        {"projects": [shop]},
        {"projects": [shop], "kind": "secret"},
        {"branch": "dev", "min_severity": 3},
        {"rule": "GHSA-mixed-Case-0001", "states": ()},
        {"rule": "GHSA-mixed-Case-0001"},
        {"min_severity": 4, "limit": 2},
        {"text": "pkg", "before": 20, "limit": 5},
        {"before": 40, "states": ()},
    ]
    problems, answered = [], 0
    for visible in (None, {shop}):
        for kwargs in filters:
            flt = queries.FindingFilter(**kwargs)
            with world.db.read() as session:
                got = [f.id for f, _slug in queries.search_findings(session, visible, flt)]
            want = expected(world, visible, flt)
            answered += bool(want)
            if got != want:
                problems.append(f"{visible} {kwargs}: {got} != {want}")
    assert not problems, "\n".join(problems[:20])
    assert answered > len(filters)  # most searches find something: not vacuous
