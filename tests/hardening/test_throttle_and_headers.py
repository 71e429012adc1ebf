"""Throttling of failures (429 with Retry-After) on the doors where secrets are guessed — per
account and address, per account everywhere (slowed, never locked), per address with a far
higher ceiling — shared between workers through Redis; security headers on every response; no inline script anywhere."""

from __future__ import annotations

import re
import time

import pytest

from ..conftest import login, make_app

LOGIN = {"RATELIMIT_ENABLED": True}


@pytest.fixture
def app_overrides(request):
    return getattr(request, "param", {})


def _staff(app, n: int) -> list[str]:
    from workflow import services

    rt = app.extensions["jiati"]
    names = []
    for i in range(n):
        name = f"clerk{i:02d}"
        services.create_user(
            rt, None, username=name, password="secret-pass-1", role="clerk", name=f"窗口{i}"
        )
        names.append(name)
    return names


@pytest.mark.parametrize("app_overrides", [LOGIN], indirect=True)
def test_thirty_clerks_sign_in_from_one_office_address_within_a_minute(app):
    for name in _staff(app, 30):
        r = app.test_client().post(
            "/auth/login", data={"username": name, "password": "secret-pass-1"}
        )
        assert r.status_code == 302, name


@pytest.mark.parametrize("app_overrides", [LOGIN], indirect=True)
def test_one_persons_typos_slow_that_account_only(app, client, app_people):
    statuses = []
    for _ in range(15):
        r = client.post("/auth/login", data={"username": "13800000001", "password": "x-guess-1"})
        statuses.append(r.status_code)
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 10
    assert int(r.headers["Retry-After"]) > 0 and "失败次数过多" in r.get_data(as_text=True)
    # The right password waits too: the throttle answers before the password is checked.
    r = client.post("/auth/login", data={"username": "13800000001", "password": "secret-pass-1"})
    assert r.status_code == 429
    # A colleague at the same address signs in at once.
    other = app.test_client()
    assert login(other, app_people.clerk.username).status_code == 302


@pytest.mark.parametrize("app_overrides", [LOGIN], indirect=True)
def test_a_guesser_elsewhere_slows_the_account_but_never_locks_its_owner_out(
    app, app_people, monkeypatch
):
    monkeypatch.setattr("workflow.services.users.sleep", lambda seconds: None)
    owner = app_people.owner.username
    for i in range(20):  # four addresses, five failures each: the account's ceiling
        r = app.test_client().post(
            "/auth/login",
            data={"username": owner, "password": "wrong"},
            environ_base={"REMOTE_ADDR": f"10.9.0.{i // 5}"},
        )
        assert r.status_code == 200
    home = {"REMOTE_ADDR": "10.1.1.1"}
    c = app.test_client()
    r = c.post("/auth/login", data={"username": owner, "password": "typo"}, environ_base=home)
    assert r.status_code == 200  # one try is let through …
    r = c.post("/auth/login", data={"username": owner, "password": "typo"}, environ_base=home)
    assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 10  # … then a pause
    app.config["RATELIMIT_SLOW_SECONDS"] = 1
    time.sleep(1.1)
    r = c.post(
        "/auth/login",
        data={"username": owner, "password": "secret-pass-1"},
        environ_base=home,
    )
    assert r.status_code == 302


@pytest.mark.parametrize(
    "app_overrides", [{**LOGIN, "RATELIMIT_LOGIN_ADDRESS": "8 per minute"}], indirect=True
)
def test_one_address_spraying_many_accounts_meets_the_address_ceiling(client):
    statuses = [
        client.post(
            "/auth/login", data={"username": f"1380000{i:04d}", "password": "x"}
        ).status_code
        for i in range(9)
    ]
    assert statuses == [200] * 8 + [429]


@pytest.mark.parametrize("app_overrides", [LOGIN], indirect=True)
def test_the_login_page_itself_is_not_counted(client):
    for _ in range(8):
        assert client.get("/auth/login").status_code == 200


@pytest.mark.parametrize("app_overrides", [LOGIN], indirect=True)
def test_failed_token_requests_are_throttled_with_the_api_error_shape(api, client):
    for _ in range(5):
        client.post("/api/v1/token", json={"username": "nobody", "password": "x"})
    r = client.post("/api/v1/token", json={"username": "nobody", "password": "x"})
    assert r.status_code == 429 and r.headers["Retry-After"]
    assert r.get_json()["error"] == "too_many_requests"


@pytest.mark.parametrize(
    "app_overrides",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_PHONE_TAIL": "3 per minute"}],
    indirect=True,
)
def test_phone_tail_checks_are_throttled_per_address(client, api, app_journey):
    case_id = app_journey.case_in("consultation")
    link = api.get(f"/cases/{case_id}/signing-links", "owner").get_json()["links"][0]
    statuses = [
        client.post(
            f"/api/v1/sign/{link['token']}",
            json={"owner_name": "x", "phone_tail": "0000", "choice": "agree", "signature": "x"},
        ).status_code
        for _ in range(4)
    ]
    assert statuses[:3] != [429] * 3 and statuses[3] == 429


def test_workers_share_the_counts_through_redis(tmp_path, clock, database, request):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/5"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis unreachable at 127.0.0.1:6379")
    over = {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN_FAILURES": "4 per minute", "REDIS_URL": url}
    if database == "postgres":
        over["DATABASE_URL"] = request.getfixturevalue("pg_url")
    one = make_app(tmp_path / "1", clock, **over)
    two = make_app(tmp_path / "2", clock, **over)
    try:
        assert one.config["RATELIMIT_STORAGE_URI"] == url
        for _ in range(4):
            one.test_client().post("/auth/login", data={"username": "a", "password": "b"})
        r = two.test_client().post("/auth/login", data={"username": "a", "password": "b"})
        assert r.status_code == 429 and r.headers["Retry-After"]
    finally:
        redis.Redis.from_url(url).flushdb()
        for a in (one, two):
            a.extensions["jiati"].db.dispose()


# — headers —————————————————————————————————————————————————————————————————————————


def _assert_headers(r) -> None:
    csp = r.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp and r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["Server"] == "jiati"  # not Werkzeug/x.y Python/3.z


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_every_page_of_every_role_has_the_headers_and_no_inline_script(
    app, client, app_people, app_journey
):
    case_id = app_journey.case_in("review")
    pages = {
        None: ["/auth/login", "/auth/register", "/auth/welcome", "/verify", "/nowhere",
               "/api/v1/workflow"],
        "owner": ["/my/", "/my/new", f"/my/cases/{case_id}", f"/my/cases/{case_id}/documents",
                  f"/my/cases/{case_id}/consent", f"/my/cases/{case_id}/progress", "/auth/password"],
        "clerk": ["/staff/", f"/staff/cases/{case_id}", "/staff/letters"],
        "housing": ["/staff/review", f"/staff/cases/{case_id}"],
        "admin": ["/admin/", "/admin/users", "/admin/settings", "/admin/holidays",
                  "/admin/statistics"],
    }  # fmt: skip
    seen = 0
    for who, paths in pages.items():
        c = app.test_client()
        if who:
            login(c, getattr(app_people, who).username)
        for path in paths:
            r = c.get(path)
            _assert_headers(r)
            if r.mimetype == "text/html":
                html = r.get_data(as_text=True)
                assert not INLINE_SCRIPT.search(html), path
                assert not HANDLER.search(html), path
            seen += 1
    assert seen == 23


@pytest.mark.parametrize(
    "app_overrides",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_PHONE_TAIL": "2 per minute"}],
    indirect=True,
)
def test_the_signing_page_throttles_phone_tail_guesses_but_not_reading(client, api, app_journey):
    case_id = app_journey.case_in("consultation")
    token = api.get(f"/cases/{case_id}/signing-links", "owner").get_json()["links"][0]["token"]
    guess = {"owner_name": "x", "phone_tail": "0000", "choice": "agree", "signature": "x"}
    statuses = [client.post(f"/sign/{token}", data=guess).status_code for _ in range(3)]
    assert statuses[2] == 429 and 429 not in statuses[:2]
    assert client.get(f"/sign/{token}").status_code == 200  # reading the page is not guessing
