"""Authorization of every route: anonymous callers, a wrong project's token, a developer
of another project, an auditor trying to write, are all refused; a principal who may
is served (so a refusal is not a broken request in disguise).

``CASES`` must name every route the app has: a new route without a case fails
``test_every_route_has_an_authorization_case``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount
from starlette.testclient import TestClient

from glasshouse.server.app import create_app
from glasshouse.server.settings import ServerSettings
from glasshouse.storage import accounts, notify
from glasshouse.storage.db import Database, utcnow

from . import reports
from .conftest import World

EXPIRES = (date.today() + timedelta(days=20)).isoformat()
READERS_REFUSED = ("anonymous", "bad-token", "ci:blog", "dev-blog")
PAGE_READ_REFUSED = ("anonymous", "dev-blog")
SECURITY_ONLY = ("anonymous", "bad-token", "ci:shop", "ci:blog", "dev-blog", "dev-shop", "aud")
PAGE_SECURITY_ONLY = ("anonymous", "dev-blog", "dev-shop", "aud")
EVIDENCE_REFUSED = ("anonymous", "bad-token", "ci:shop", "dev-shop", "dev-blog")
PAGE_EVIDENCE_REFUSED = ("anonymous", "dev-shop", "dev-blog")
PERIOD = "from=2026-11-01&to=2026-11-30"
PAGE_ADMIN_ONLY = ("anonymous", "dev-shop", "aud", "sec")


@dataclass(frozen=True)
class Case:
    path: str  # concrete, with {run}, {finding}, {waiver} filled in at run time
    allowed: str
    refused: tuple[str, ...]
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


UPLOAD = reports.body(reports.report(reports.many(2)))
RUN_HEADERS = {
    "Glasshouse-Run-Id": "authz",
    "Glasshouse-Branch": "authz",
}  # not main: closes nothing

CASES: dict[tuple[str, str], Case] = {
    ("GET", "/healthz"): Case("/healthz", "anonymous", ()),
    ("GET", "/login"): Case("/login", "anonymous", ()),
    ("POST", "/login"): Case("/login", "anonymous", ()),  # exercised in test_sessions.py
    ("GET", "/static"): Case("/static/app.css", "anonymous", ()),
    ("GET", "/api/v1/whoami"): Case("/api/v1/whoami", "ci:shop", ("anonymous", "bad-token")),
    ("POST", "/api/v1/projects/{slug}/runs"): Case(
        "/api/v1/projects/shop/runs",
        "ci:shop",
        ("anonymous", "bad-token", "ci:blog", "dev-blog", "dev-shop", "aud", "sec", "admin"),
        body=UPLOAD,
        headers=RUN_HEADERS,
    ),
    ("GET", "/api/v1/projects/{slug}/runs"): Case(
        "/api/v1/projects/shop/runs", "dev-shop", READERS_REFUSED
    ),
    ("GET", "/api/v1/projects/{slug}/runs/{run_id}"): Case(
        "/api/v1/projects/shop/runs/{run}", "aud", READERS_REFUSED
    ),
    ("GET", "/api/v1/projects/{slug}/gate"): Case(
        "/api/v1/projects/shop/gate?branch=main", "ci:shop", READERS_REFUSED
    ),
    ("GET", "/api/v1/projects/{slug}/findings"): Case(
        "/api/v1/projects/shop/findings", "dev-shop", READERS_REFUSED
    ),
    ("POST", "/api/v1/findings/{finding_id}/triage"): Case(
        "/api/v1/findings/{finding}/triage",
        "sec",
        SECURITY_ONLY,
        json={"state": "confirmed", "reason": "reproduced"},
    ),
    ("GET", "/api/v1/projects/{slug}/waivers"): Case(
        "/api/v1/projects/shop/waivers", "ci:shop", READERS_REFUSED
    ),
    ("POST", "/api/v1/projects/{slug}/waivers"): Case(
        "/api/v1/projects/shop/waivers",
        "dev-shop",
        ("anonymous", "bad-token", "ci:shop", "ci:blog", "dev-blog", "aud"),
        json={"rule": "GHSA-x", "reason": "not reachable", "expires": EXPIRES},
    ),
    ("POST", "/api/v1/waivers/{waiver_id}/decision"): Case(
        "/api/v1/waivers/{waiver}/decision",
        "sec",
        SECURITY_ONLY,
        json={"approve": True, "reason": "ok"},
    ),
    ("GET", "/api/v1/policy"): Case("/api/v1/policy", "dev-blog", ("anonymous", "bad-token")),
    ("PUT", "/api/v1/policy"): Case(
        "/api/v1/policy",
        "sec",
        ("anonymous", "bad-token", "ci:shop", "dev-shop", "aud"),
        json={"policy": '[gate]\nfail_on = "medium"\n'},
    ),
    # the transparency log: checkpoints, its key and consistency proofs to every token;
    # entries and inclusion proofs to readers of every project and the entry's project
    ("GET", "/api/v1/log/checkpoint"): Case(
        "/api/v1/log/checkpoint", "ci:blog", ("anonymous", "bad-token")
    ),
    ("GET", "/api/v1/log/key"): Case("/api/v1/log/key", "dev-blog", ("anonymous", "bad-token")),
    ("GET", "/api/v1/log/entries/{index}"): Case(
        "/api/v1/log/entries/0", "ci:shop", READERS_REFUSED
    ),
    ("GET", "/api/v1/log/proof/inclusion"): Case(
        "/api/v1/log/proof/inclusion?index=0", "dev-shop", READERS_REFUSED
    ),
    ("GET", "/api/v1/log/proof/consistency"): Case(
        "/api/v1/log/proof/consistency?from=1", "ci:blog", ("anonymous", "bad-token")
    ),
    ("GET", "/api/v1/evidence/pack"): Case(
        f"/api/v1/evidence/pack?{PERIOD}&framework=soc2", "aud", EVIDENCE_REFUSED
    ),
    ("GET", "/evidence"): Case("/evidence", "sec", PAGE_EVIDENCE_REFUSED),
    ("GET", "/evidence/pack"): Case(
        f"/evidence/pack?{PERIOD}&framework=iso27001", "aud", PAGE_EVIDENCE_REFUSED
    ),
    ("GET", "/"): Case("/", "dev-blog", ("anonymous",)),
    ("GET", "/projects/{slug}"): Case("/projects/shop", "dev-shop", PAGE_READ_REFUSED),
    ("GET", "/projects/{slug}/runs/{run_id}"): Case(
        "/projects/shop/runs/{run}", "aud", PAGE_READ_REFUSED
    ),
    ("GET", "/findings"): Case("/findings?project=shop", "dev-shop", PAGE_READ_REFUSED),
    ("GET", "/findings/{finding_id}"): Case("/findings/{finding}", "dev-shop", PAGE_READ_REFUSED),
    ("POST", "/findings/{finding_id}/triage"): Case(
        "/findings/{finding}/triage",
        "sec",
        PAGE_SECURITY_ONLY,
        form={"state": "false_positive", "reason": "test code"},
    ),
    ("GET", "/waivers"): Case("/waivers", "dev-blog", ("anonymous",)),
    ("POST", "/waivers"): Case(
        "/waivers",
        "dev-shop",
        ("anonymous", "dev-blog", "aud"),
        form={"project": "shop", "rule": "GHSA-y", "reason": "later", "expires": EXPIRES},
    ),
    ("POST", "/waivers/{waiver_id}/decision"): Case(
        "/waivers/{waiver}/decision",
        "sec",
        PAGE_SECURITY_ONLY,
        form={"decision": "reject", "reason": "fix it"},
    ),
    ("GET", "/events"): Case("/events", "dev-blog", ("anonymous",)),
    ("GET", "/policy"): Case("/policy", "aud", ("anonymous",)),
    ("POST", "/policy"): Case(
        "/policy", "sec", ("anonymous", "dev-shop", "aud"), form={"policy": "[gate]\n"}
    ),
    ("GET", "/admin/users"): Case("/admin/users", "admin", PAGE_ADMIN_ONLY),
    ("POST", "/admin/users"): Case(
        "/admin/users",
        "admin",
        PAGE_ADMIN_ONLY,
        form={"name": "newcomer", "role": "developer", "password": "p" * 12, "projects": "shop"},
    ),
    ("POST", "/admin/users/{user_id}"): Case(
        "/admin/users/{user}", "admin", PAGE_ADMIN_ONLY, form={"role": "auditor", "active": "on"}
    ),
    ("POST", "/admin/users/{user_id}/memberships"): Case(
        "/admin/users/{user}/memberships", "admin", PAGE_ADMIN_ONLY, form={"project": "blog"}
    ),
    ("POST", "/admin/users/{user_id}/memberships/remove"): Case(  # after the one above
        "/admin/users/{user}/memberships/remove",
        "admin",
        PAGE_ADMIN_ONLY,
        form={"project": "blog"},
    ),
    ("GET", "/admin/tokens"): Case("/admin/tokens", "admin", PAGE_ADMIN_ONLY),
    ("POST", "/admin/tokens"): Case(
        "/admin/tokens", "admin", PAGE_ADMIN_ONLY, form={"project": "shop", "name": "new CI"}
    ),
    ("POST", "/admin/tokens/{token_id}/revoke"): Case(
        "/admin/tokens/{token}/revoke", "admin", PAGE_ADMIN_ONLY, form={}
    ),
    ("GET", "/admin/webhooks"): Case("/admin/webhooks", "admin", PAGE_ADMIN_ONLY),
    ("POST", "/admin/webhooks"): Case(
        "/admin/webhooks",
        "admin",
        PAGE_ADMIN_ONLY,
        form={"url": "https://hooks.example/glasshouse", "events": "gate_failed"},
    ),
    ("POST", "/admin/webhooks/{webhook_id}/active"): Case(
        "/admin/webhooks/{webhook}/active", "admin", PAGE_ADMIN_ONLY, form={}
    ),
    ("POST", "/logout"): Case("/logout", "dev-shop", ("anonymous",), form={}),  # last: logs out
}


def _walk(routes: list[Any], prefix: str, found: set[tuple[str, str]]) -> None:
    for route in routes:
        if isinstance(route, APIRoute):
            found.update((method, prefix + route.path) for method in route.methods)
        elif isinstance(route, Mount):
            found.add(("GET", prefix + route.path))
        elif hasattr(route, "original_router"):  # FastAPI >= 0.16x keeps included routers
            _walk(route.original_router.routes, prefix + route.include_context.prefix, found)
        else:
            raise AssertionError(f"a route of an unexpected type: {route!r}")


def app_routes() -> set[tuple[str, str]]:
    app = create_app(ServerSettings(database_url="sqlite://", worker=False), Database("sqlite://"))
    found: set[tuple[str, str]] = set()
    _walk(list(app.routes), "", found)
    return found


def test_every_route_has_an_authorization_case() -> None:
    routes = app_routes()
    missing = routes - CASES.keys()
    assert not missing, f"routes without an authorization case: {sorted(missing)}"
    stale = CASES.keys() - routes
    assert not stale, f"cases for routes that no longer exist: {sorted(stale)}"


class Callers:
    """A way to call the app as each principal: bearer tokens for the API, a logged-in
    browser (its own cookie jar and CSRF token) for the pages."""

    def __init__(self, world: World) -> None:
        self.world = world
        world.user("admin", "admin")
        world.user("sec", "security")
        world.user("dev-shop", "developer", "shop")
        world.user("dev-blog", "developer", "blog")
        world.user("aud", "auditor")
        world.ci_token("shop")
        world.ci_token("blog")
        self.browsers = {}
        self.anonymous = TestClient(world.client.app, base_url="http://testserver")

    def call(self, who: str, method: str, case: Case, path: str) -> Any:
        api = path.startswith("/api/")
        if (
            api
            or who == "anonymous"
            or (case.form is None and method == "GET" and who == "anonymous")
        ):
            headers = dict(case.headers)
            if api and who == "bad-token":
                headers["Authorization"] = "Bearer gh_0000000000000000_" + "x" * 43
            elif api and who != "anonymous":
                headers["Authorization"] = f"Bearer {self.world.tokens[who]}"
            client = self.anonymous
            if not api and who != "anonymous":
                raise AssertionError("pages are called with a browser")
            data = None if case.form is None else {"csrf_token": "none", **case.form}
            return client.request(
                method,
                path,
                json=case.json,
                content=case.body,
                data=data,
                headers=headers,
                follow_redirects=False,
            )
        if who not in self.browsers:
            self.browsers[who] = self.world.browser(who)
        browser = self.browsers[who]
        if method == "GET":
            return browser.client.get(path, follow_redirects=False)
        return browser.post(path, case.form or {}, follow_redirects=False)


def refused(answer: Any, who: str, api: bool) -> bool:
    if api:
        return answer.status_code in (401, 403, 404)
    if who == "anonymous":
        redirected = answer.status_code == 303 and answer.headers["location"].startswith("/login")
        return redirected or answer.status_code in (401, 403)
    return answer.status_code in (403, 404)


def test_every_route_refuses_who_may_not_and_serves_who_may(world: World) -> None:
    callers = Callers(world)
    shop = world.tokens["ci:shop"]
    first = world.upload(shop, "shop", reports.body(reports.report(reports.many(3))), "seed")
    assert first.status_code == 201
    run = first.json()["id"]
    finding = world.client.get(
        "/api/v1/projects/shop/findings", headers={"Authorization": f"Bearer {shop}"}
    ).json()["findings"][0]["id"]
    waivers = []
    for _ in range(2):  # one for the API decision, one for the page decision
        made = world.client.post(
            "/api/v1/projects/shop/waivers",
            json={"rule": "GHSA-z", "reason": "r", "expires": EXPIRES},
            headers={"Authorization": f"Bearer {world.tokens['dev-shop']}"},
        )
        assert made.status_code == 201, made.text
        waivers.append(made.json()["id"])
    world.user("target", "developer", "shop")  # the admin pages change this one
    with world.db.write() as session:
        blog = accounts.get_or_create_project(session, "blog", at=utcnow())
        spare = accounts.create_token(session, "spare", at=utcnow(), project=blog).record.id
        hook = notify.add_webhook(
            session, "https://hooks.example/a", "*", "s" * 16, at=utcnow(), actor="test"
        ).id
    ids = {
        "run": run,
        "finding": finding,
        "user": world.user_id("target"),
        "token": spare,
        "webhook": hook,
    }
    problems = []
    for (method, route), case in CASES.items():
        waiver = waivers[0] if route.startswith("/api/") else waivers[1]
        path = case.path.format(**ids, waiver=waiver)
        api = path.startswith("/api/")
        for who in case.refused:
            answer = callers.call(who, method, case, path)
            if not refused(answer, who, api):
                problems.append(
                    f"{method} {route} as {who}: {answer.status_code} {answer.text[:200]}"
                )
        if case.allowed != "anonymous" or case.refused:
            answer = callers.call(case.allowed, method, case, path)
            if answer.status_code >= 400:
                problems.append(
                    f"{method} {route} as {case.allowed} (allowed): "
                    f"{answer.status_code} {answer.text[:300]}"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route", ["/", "/findings", "/waivers", "/events"])
def test_a_developer_sees_only_their_projects(world: World, route: str) -> None:
    shop, blog = world.ci_token("shop"), world.ci_token("blog")
    world.user("dev-blog", "developer", "blog")
    secret_rule = reports.vuln("hidden-package", "GHSA-shop-only-0001")
    assert (
        world.upload(shop, "shop", reports.body(reports.report([secret_rule])), "1").status_code
        == 201
    )
    visible = reports.vuln("blog-package", "GHSA-blog-only-0001")
    assert (
        world.upload(blog, "blog", reports.body(reports.report([visible])), "1").status_code == 201
    )
    world.client.post(
        "/api/v1/projects/shop/waivers",
        json={"rule": "GHSA-shop-only-0001", "reason": "r", "expires": EXPIRES},
        headers={"Authorization": f"Bearer {world.user('sec', 'security')}"},
    )
    page = world.browser("dev-blog").client.get(route)
    assert page.status_code == 200
    assert "GHSA-shop-only-0001" not in page.text
    assert "hidden-package" not in page.text
    assert ">shop<" not in page.text
    if route == "/findings":
        assert "GHSA-blog-only-0001" in page.text
