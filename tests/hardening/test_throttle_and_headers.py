"""Per-address throttling (429 with Retry-After) on the doors where secrets are guessed, shared
between workers through Redis; security headers on every response; no inline script anywhere."""

from __future__ import annotations

import re

import pytest

from ..conftest import login, make_app

LOGIN = {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "5 per minute"}


@pytest.fixture
def app_overrides(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_overrides", [LOGIN], indirect=True)
def test_a_sixth_login_attempt_in_a_minute_from_one_address_is_429(client, app_people):
    for _ in range(5):
        r = client.post("/auth/login", data={"username": "13800000001", "password": "x-guess-1"})
        assert r.status_code == 200
    r = client.post("/auth/login", data={"username": "13800000001", "password": "secret-pass-1"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "请求太频繁" in r.get_data(as_text=True)
    # Another address is not slowed by this one.
    r = client.post(
        "/auth/login",
        data={"username": "13800000001", "password": "secret-pass-1"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert r.status_code == 302


@pytest.mark.parametrize("app_overrides", [LOGIN], indirect=True)
def test_the_login_page_itself_is_not_counted(client):
    for _ in range(8):
        assert client.get("/auth/login").status_code == 200


@pytest.mark.parametrize("app_overrides", [LOGIN], indirect=True)
def test_token_requests_are_throttled_with_the_api_error_shape(api, client):
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
    over = {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "4 per minute", "REDIS_URL": url}
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
