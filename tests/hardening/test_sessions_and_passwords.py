"""Sessions end on the server; tokens expire and can be revoked; passwords are not guessable;
login time does not tell whether an account exists. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow import services
from workflow.rules.passwords import weakness

from ..conftest import login
from ..journey import PASSWORD


def _copy_session(src, dst) -> None:
    dst.set_cookie("session", src.get_cookie("session").value)


def test_logging_out_ends_the_session_even_for_a_copied_cookie(app, client, app_people):
    login(client, app_people.owner.username)
    thief = app.test_client()
    _copy_session(client, thief)
    assert thief.get("/my/").status_code == 200
    client.post("/auth/logout")
    r = thief.get("/my/")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_a_new_password_ends_every_other_session_and_keeps_this_one(app, client, app_people):
    login(client, app_people.clerk.username)
    other = app.test_client()
    login(other, app_people.clerk.username)
    r = client.post(
        "/auth/password",
        data={"current": PASSWORD, "password": "Fresh-start-2026", "confirm": "Fresh-start-2026"},
    )
    assert r.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert other.get("/staff/").status_code == 302
    assert login(other, app_people.clerk.username, "Fresh-start-2026").status_code == 302


def test_an_admin_signs_a_user_out_of_every_session_and_token(app, client, app_people, api):
    token = api.token("clerk")
    clerk = app.test_client()
    login(clerk, app_people.clerk.username)
    login(client, app_people.admin.username)
    r = client.post(f"/admin/users/{app_people.clerk.id}/sign-out")
    assert r.status_code == 303
    assert clerk.get("/staff/").status_code == 302
    assert api.get("/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    from workflow.data.models import Event

    with app.extensions["jiati"].db.session() as s:
        kinds = [e.kind for e in s.query(Event).filter_by(actor_id=app_people.admin.id)]
    assert "user_signed_out" in kinds


def test_api_tokens_expire_and_can_be_revoked(api, clock):
    token = api.token("owner")
    auth = {"Authorization": f"Bearer {token}"}
    assert api.get("/cases", headers=auth).status_code == 200
    assert api.delete("/token", headers=auth).status_code in (200, 204)
    assert api.get("/cases", headers=auth).status_code == 401
    api.tokens.clear()
    fresh = {"Authorization": f"Bearer {api.token('owner')}"}
    clock.advance(hours=13)
    assert api.get("/cases", headers=fresh).status_code == 401


def test_staff_given_an_initial_password_change_it_before_anything_else(app, client, app_people):
    login(client, app_people.admin.username)
    r = client.post(
        "/admin/users",
        data={
            "username": "newclerk",
            "name": "新窗口",
            "role": "clerk",
            "department": "",
            "password": "Initial-pass-77",
            "must_change": "y",
        },  # fmt: skip
    )
    assert r.status_code == 303
    client.post("/auth/logout")
    login(client, "newclerk", "Initial-pass-77")
    r = client.get("/staff/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/auth/password")
    token = client.post(
        "/api/v1/token", json={"username": "newclerk", "password": "Initial-pass-77"}
    )
    assert token.status_code == 403  # nor through the API
    client.post(
        "/auth/password",
        data={
            "current": "Initial-pass-77",
            "password": "Mine-only-2026",
            "confirm": "Mine-only-2026",
        },
    )
    assert client.get("/staff/").status_code == 200


@pytest.mark.parametrize(
    "password",
    ["12345678", "short-9", "1234567890", "password123", "qwertyuiop", "aaaaaaaaaaaa",
     "woaini1314", "a123456789"],
)  # fmt: skip
def test_short_and_common_passwords_are_refused_everywhere(app, client, password):
    assert weakness(password) is not None
    r = client.post(
        "/auth/register",
        data={"phone": "13700000009", "name": "周志华", "password": password, "confirm": password},
    )
    assert r.status_code == 200 and "密码" in r.get_data(as_text=True)
    assert client.get("/my/").status_code == 302


def test_a_password_may_not_contain_the_phone_number():
    assert weakness("x13700000009y", "13700000009") is not None
    assert weakness("lift-for-grandma", "13700000009") is None


def test_login_checks_a_dummy_hash_for_an_unknown_account(app, client, monkeypatch):
    """Same work, hence the same time, whether or not the account exists."""
    from workflow.rules import passwords

    checks = []
    real = passwords.check_password
    monkeypatch.setattr(passwords, "check_password", lambda *a: checks.append(a[0][:7]) or real(*a))
    client.post("/auth/login", data={"username": "13999999999", "password": "whatever-1"})
    assert checks == ["scrypt$"]  # one scrypt check, against the dummy hash


def test_login_of_a_known_account_does_one_check_too(app, client, app_people, monkeypatch):
    from workflow.services import users

    checks = []
    real = users.check_password
    monkeypatch.setattr(users, "check_password", lambda *a: checks.append(1) or real(*a))
    client.post("/auth/login", data={"username": app_people.owner.username, "password": "x-1"})
    assert checks == [1]


def test_the_dummy_hash_costs_what_a_real_one_costs(app_people, app):
    from workflow.rules import passwords

    with app.extensions["jiati"].db.session() as s:
        from workflow.data.models import User

        real = s.query(User).filter_by(username=app_people.owner.username).one().password_hash
    assert passwords._dummy_hash().split("$")[1:4] == real.split("$")[1:4]


def test_the_lockout_is_gone_the_owner_always_gets_in(app, monkeypatch, app_people):
    from workflow.services import users

    monkeypatch.setattr(users, "sleep", lambda s: None)
    rt = app.extensions["jiati"]
    for _ in range(50):
        assert services.authenticate(rt, app_people.owner.username, "guess-guess") is None
    assert services.authenticate(rt, app_people.owner.username, PASSWORD) is not None


def test_names_without_an_account_slow_down_like_real_ones(app, monkeypatch):
    """Otherwise the growing delay would tell which accounts exist."""
    from workflow.services import users

    waits = []
    monkeypatch.setattr(users, "sleep", waits.append)
    monkeypatch.setattr(users, "_unknown_failures", {})
    rt = app.extensions["jiati"]
    for _ in range(5):
        services.authenticate(rt, "13999990000", "guess-guess")
    assert waits == [0.25, 0.5]


def test_a_logout_on_one_worker_ends_the_session_on_another(app, client, app_people, clock):
    """Two application processes over one database (workers of a gunicorn, or two hosts)."""
    from ..conftest import make_app

    other_worker = make_app(
        Path(app.instance_path).parent,
        clock,
        DATABASE_URL=app.config["DATABASE_URL"],
    )
    try:
        login(client, app_people.housing.username)
        elsewhere = other_worker.test_client()
        _copy_session(client, elsewhere)
        assert elsewhere.get("/staff/review").status_code == 200
        client.post("/auth/logout")
        assert elsewhere.get("/staff/review").status_code == 302
    finally:
        other_worker.extensions["jiati"].db.dispose()
