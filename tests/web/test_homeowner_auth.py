"""Registering with a mobile number, logging in and out."""

from __future__ import annotations


def register(client, **over):
    data = {"phone": "13700000009", "name": "周志华", "password": "secret-pass-9",
            "confirm": "secret-pass-9"}  # fmt: skip
    data.update(over)
    return client.post("/auth/register", data=data)


def test_a_new_owner_registers_and_lands_on_my_applications(client):
    r = register(client)
    assert r.status_code == 302 and r.headers["Location"].endswith("/my/")
    html = client.get("/my/").get_data(as_text=True)
    assert "注册成功" in html and "您还没有申请" in html


def test_a_bad_mobile_number_is_explained_beside_the_field(client):
    r = register(client, phone="12345")
    html = r.get_data(as_text=True)
    assert "请输入 11 位大陆手机号" in html and 'href="#phone"' in html
    assert 'value="12345"' in html and 'value="周志华"' in html


def test_short_and_mismatched_passwords_are_refused(client):
    html = register(client, password="short", confirm="other").get_data(as_text=True)
    assert "密码至少 10 位" in html and "两次输入的密码不一致" in html
    assert client.get("/my/").status_code == 302  # not logged in


def test_a_mobile_number_registers_once(client, app_people):
    html = register(client, phone=app_people.owner.username).get_data(as_text=True)
    assert "该用户名（手机号）已注册" in html and 'href="#phone"' in html
    assert client.get("/my/").status_code == 302


def test_log_in_with_a_wrong_password_then_the_right_one(client, app_people):
    r = client.post("/auth/login", data={"username": app_people.owner.username, "password": "x"})
    assert "手机号（用户名）或密码不正确" in r.get_data(as_text=True)
    r = client.post(
        "/auth/login", data={"username": app_people.owner.username, "password": "secret-pass-1"}
    )
    assert r.headers["Location"].endswith("/my/")
    r = client.post("/auth/logout")
    assert r.status_code == 302 and client.get("/my/").status_code == 302


def test_repeated_wrong_passwords_slow_the_account_but_never_lock_its_owner_out(
    client, app_people, monkeypatch
):
    from workflow.services import users

    waits = []
    monkeypatch.setattr(users, "sleep", waits.append)
    for _ in range(12):
        r = client.post("/auth/login", data={"username": "13800000001", "password": "guess-guess"})
        assert r.status_code == 200 and "密码不正确" in r.get_data(as_text=True)
    # From the third failure on, every attempt waits longer, up to a bound.
    assert waits == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    owner = client.post(
        "/auth/login", data={"username": "13800000001", "password": "secret-pass-1"}
    )
    assert owner.status_code == 302 and owner.headers["Location"].endswith("/my/")
    client.post("/auth/logout")
    waits.clear()
    client.post("/auth/login", data={"username": "13800000001", "password": "secret-pass-1"})
    assert waits == []  # the right password cleared the count
