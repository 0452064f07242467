"""Login, sessions, CSRF, rate limiting, secure headers, and how secrets are kept."""

from __future__ import annotations

from sqlalchemy import select, text
from starlette.testclient import TestClient

from glasshouse.storage import accounts
from glasshouse.storage.db import utcnow
from glasshouse.storage.models import ApiToken, User

from .conftest import CSRF, PASSWORD, World


def login(client: TestClient, name: str, password: str, next_: str = "/") -> object:
    page = client.get("/login")
    csrf = page.cookies.get("glasshouse_login_csrf") or ""
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": csrf, "next": next_},
        follow_redirects=False,
    )


def fresh(world: World, base: str = "http://testserver") -> TestClient:
    return TestClient(world.client.app, base_url=base)


def test_login_sets_a_hardened_session_cookie_and_logout_ends_it(world: World) -> None:
    world.user("sec", "security")
    client = fresh(world)
    answer = login(client, "sec", PASSWORD)
    assert answer.status_code == 303  # type: ignore[attr-defined]
    cookie = answer.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "glasshouse_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain http on loopback
    home = client.get("/")
    assert home.status_code == 200
    assert "sec (security)" in home.text
    stolen = client.cookies.get("glasshouse_session")
    csrf = CSRF.search(home.text).group(1)  # type: ignore[union-attr]
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    replay = fresh(world)
    replay.cookies.set("glasshouse_session", stolen or "")
    again = replay.get("/", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/login")


def test_https_gets_hsts_and_secure_cookies(world: World) -> None:
    world.user("sec", "security")
    client = fresh(world, "https://testserver")
    answer = login(client, "sec", PASSWORD)
    assert "Secure" in answer.headers["set-cookie"]  # type: ignore[attr-defined]
    page = client.get("/")
    assert page.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in fresh(world).get("/login").headers


def test_secure_headers_on_pages_and_api(world: World) -> None:
    for path in ("/login", "/api/v1/whoami", "/static/app.css", "/no-such-page"):
        headers = world.client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src" not in headers["content-security-policy"]  # default-src 'none'
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_wrong_passwords_are_rate_limited_per_user(world: World) -> None:
    world.user("sec", "security")
    world.user("other", "developer")
    client = fresh(world)
    for _ in range(5):
        assert login(client, "sec", "wrong password!!").status_code == 401  # type: ignore[attr-defined]
    blocked = login(client, "sec", PASSWORD)
    assert blocked.status_code == 429  # type: ignore[attr-defined]
    assert "Too many failed logins" in blocked.text  # type: ignore[attr-defined]
    assert login(client, "other", PASSWORD).status_code == 303  # type: ignore[attr-defined]


def test_unknown_users_and_wrong_passwords_read_the_same(world: World) -> None:
    world.user("sec", "security")
    a = login(fresh(world), "sec", "not the password")
    b = login(fresh(world), "nobody", "not the password")
    assert a.status_code == b.status_code == 401  # type: ignore[attr-defined]
    assert "Wrong user name or password" in a.text  # type: ignore[attr-defined]
    assert "Wrong user name or password" in b.text  # type: ignore[attr-defined]


def test_login_form_needs_its_csrf_cookie(world: World) -> None:
    world.user("sec", "security")
    answer = fresh(world).post(
        "/login",
        data={"username": "sec", "password": PASSWORD, "csrf_token": "forged", "next": "/"},
    )
    assert answer.status_code == 403


def test_no_open_redirect_after_login(world: World) -> None:
    world.user("sec", "security")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        answer = login(fresh(world), "sec", PASSWORD, target)
        assert answer.headers["location"] == "/"  # type: ignore[attr-defined]
    answer = login(fresh(world), "sec", PASSWORD, "/waivers")
    assert answer.headers["location"] == "/waivers"  # type: ignore[attr-defined]


def test_forms_refuse_a_missing_or_foreign_csrf_token_and_cross_origin_posts(world: World) -> None:
    world.user("sec", "security")
    browser = world.browser("sec")
    policy = {"policy": '[gate]\nfail_on = "low"\n'}
    assert browser.client.post("/policy", data=policy).status_code == 422  # no token at all
    assert (
        browser.client.post("/policy", data={"csrf_token": "x" * 43, **policy}).status_code == 403
    )
    foreign = browser.post("/policy", policy, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    same = browser.post(
        "/policy", policy, headers={"Origin": "http://testserver"}, follow_redirects=False
    )
    assert same.status_code == 303


def test_tokens_and_passwords_are_stored_only_hashed(world: World) -> None:
    token = world.user("dev", "developer")
    with world.db.read() as session:
        user = session.scalar(select(User).where(User.name == "dev"))
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        record = session.scalar(select(ApiToken))
        assert record is not None
        secret = token.rsplit("_", 1)[1]
        dump = " ".join(str(v) for v in session.execute(text("SELECT * FROM api_tokens")).all())
        assert secret not in dump
        assert len(record.secret_sha256) == 64


def test_a_revoked_token_is_refused(world: World) -> None:
    token = world.ci_token("shop")
    headers = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/v1/whoami", headers=headers).status_code == 200
    with world.db.write() as session:
        assert accounts.revoke_token(session, token.split("_")[1], at=utcnow())
    answer = world.client.get("/api/v1/whoami", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
