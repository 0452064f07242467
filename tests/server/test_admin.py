"""The admin pages: users and projects, CI tokens shown once, webhooks; CSRF on every form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from glasshouse.storage.models import ApiToken, Event, Webhook

from . import reports
from .conftest import PASSWORD, World

TOKEN = re.compile(r"gh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")


def test_an_admin_makes_a_developer_who_sees_only_their_projects(world: World) -> None:
    world.user("root", "admin")
    for slug in ("shop", "blog"):
        data = reports.report(reports.many(1, prefix=slug))
        assert world.upload(world.ci_token(slug), slug, reports.body(data), "1").status_code == 201
    admin = world.browser("root")
    made = admin.post(
        "/admin/users",
        {"name": "dana", "role": "developer", "password": PASSWORD, "projects": "shop"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = admin.client.get("/admin/users").text
    assert "dana" in page
    assert "shop" in page
    dana = world.browser("dana")
    assert "shop0" in dana.client.get("/findings").text
    assert "blog0" not in dana.client.get("/findings").text
    user_id = world.user_id("dana")
    admin.post(f"/admin/users/{user_id}/memberships", {"project": "blog"})
    assert "blog0" in dana.client.get("/findings").text
    admin.post(f"/admin/users/{user_id}/memberships/remove", {"project": "shop"})
    assert "shop0" not in dana.client.get("/findings").text
    # promoted to auditor: sees everything
    admin.post(f"/admin/users/{user_id}", {"role": "auditor", "active": "on"})
    assert "shop0" in dana.client.get("/findings").text
    # switched off: the session ends, logging in again fails
    admin.post(f"/admin/users/{user_id}", {"role": "auditor"})
    assert dana.client.get("/", follow_redirects=False).status_code == 303
    with world.db.read() as session:
        actions = [e.action for e in session.scalars(select(Event).where(Event.actor == "root"))]
    assert actions.count("member_added") == 2
    assert {"user_created", "member_removed", "user_changed"} <= set(actions)


def test_bad_user_forms_say_why_and_an_admin_cannot_lock_themselves_out(world: World) -> None:
    world.user("root", "admin")
    admin = world.browser("root")
    short = admin.post("/admin/users", {"name": "eve", "role": "developer", "password": "short"})
    assert short.status_code == 422
    assert "at least 12" in short.text
    reserved = admin.post("/admin/users", {"name": "system", "role": "admin", "password": PASSWORD})
    assert reserved.status_code == 422
    me = world.user_id("root")
    assert (
        admin.post(f"/admin/users/{me}", {"role": "developer", "active": "on"}).status_code == 422
    )
    assert admin.post(f"/admin/users/{me}", {"role": "admin"}).status_code == 422
    assert admin.client.get("/admin/users").status_code == 200


def test_a_ci_token_is_shown_once_works_and_can_be_revoked(world: World) -> None:
    world.user("root", "admin")
    admin = world.browser("root")
    answer = admin.post("/admin/tokens", {"project": "newproj", "name": "pipeline"})
    assert answer.status_code == 201
    assert answer.headers["cache-control"] == "no-store"
    shown = TOKEN.findall(answer.text)
    assert len(shown) == 1
    token = shown[0]
    # never shown again, and only its hash is stored
    assert token not in admin.client.get("/admin/tokens").text
    with world.db.read() as session:
        record = session.scalars(select(ApiToken).where(ApiToken.name == "pipeline")).one()
        assert token.split("_")[2] not in (record.secret_sha256, record.id)
    body = reports.body(reports.report(reports.many(1)))
    assert world.upload(token, "newproj", body, "1").status_code == 201
    admin.post(f"/admin/tokens/{record.id}/revoke", {})
    assert world.upload(token, "newproj", body, "2").status_code == 401
    assert "revoked" in admin.client.get("/admin/tokens").text


def test_a_webhook_secret_is_shown_once_and_the_hook_can_be_switched_off(world: World) -> None:
    world.user("root", "admin")
    admin = world.browser("root")
    bad = admin.post("/admin/webhooks", {"url": "ftp://x", "events": "*"})
    assert bad.status_code == 422
    unknown = admin.post("/admin/webhooks", {"url": "https://h.example/", "events": "nope"})
    assert unknown.status_code == 422
    made = admin.post(
        "/admin/webhooks", {"url": "https://h.example/in", "events": "gate_failed,waiver_requested"}
    )
    assert made.status_code == 201
    with world.db.read() as session:
        hook = session.scalars(select(Webhook)).one()
    assert hook.secret in made.text
    assert hook.events == "gate_failed,waiver_requested"
    listing = admin.client.get("/admin/webhooks").text
    assert hook.secret not in listing
    assert "https://h.example/in" in listing
    admin.post(f"/admin/webhooks/{hook.id}/active", {})
    with world.db.read() as session:
        assert session.get(Webhook, hook.id).active is False  # type: ignore[union-attr]
    admin.post(f"/admin/webhooks/{hook.id}/active", {"active": "on"})
    with world.db.read() as session:
        assert session.get(Webhook, hook.id).active is True  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users",
        "/admin/users/1",
        "/admin/users/1/memberships",
        "/admin/users/1/memberships/remove",
        "/admin/tokens",
        "/admin/tokens/0000000000000000/revoke",
        "/admin/webhooks",
        "/admin/webhooks/1/active",
    ],
)
def test_admin_forms_need_the_csrf_token_and_the_same_origin(world: World, path: str) -> None:
    world.user("root", "admin")
    admin = world.browser("root")
    form = {
        "project": "shop",
        "role": "admin",
        "name": "x",
        "password": PASSWORD,
        "url": "https://a.example",
    }
    forged = admin.client.post(path, data={**form, "csrf_token": "x" * 43})
    assert forged.status_code == 403
    foreign = admin.client.post(
        path, data={**form, "csrf_token": admin.csrf}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403


def test_only_admins_see_the_admin_link(world: World) -> None:
    world.user("root", "admin")
    world.user("sec", "security")
    assert 'href="/admin/users"' in world.browser("root").client.get("/").text
    assert 'href="/admin/users"' not in world.browser("sec").client.get("/").text
