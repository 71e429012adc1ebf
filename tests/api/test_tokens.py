"""POST/DELETE /token and bearer authentication."""

from __future__ import annotations

from workflow import services

from ..journey import PASSWORD
from .conftest import PREFIX, assert_error


def test_good_credentials_give_a_token_with_role_and_expiry(client, app_people):
    r = client.post(f"{PREFIX}/token", json={"username": "clerk", "password": PASSWORD})
    assert r.status_code == 200
    body = r.get_json()
    assert body["role"] == "clerk"
    assert body["expires_at"].endswith("+08:00")
    assert len(body["token"]) >= 32
    r = client.get(f"{PREFIX}/cases", headers={"Authorization": f"Bearer {body['token']}"})
    assert r.status_code == 200


def test_a_wrong_password_is_401(client, app_people):
    r = client.post(f"{PREFIX}/token", json={"username": "clerk", "password": "nope-nope-1"})
    body = assert_error(r, 401, "unauthenticated")
    assert body["details"][0]["code"] == "credentials"


def test_token_request_without_password_is_400_naming_the_field(client, app_people):
    body = assert_error(client.post(f"{PREFIX}/token", json={"username": "clerk"}), 400)
    assert any("password" in d["message"] for d in body["details"])


def test_token_request_with_a_number_for_username_is_400(client, app_people):
    assert_error(client.post(f"{PREFIX}/token", json={"username": 5, "password": "x"}), 400)


def test_no_token_is_401_with_a_bearer_challenge(api, app_people):
    r = api.get("/cases")
    assert_error(r, 401, "unauthenticated")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_401(api):
    r = api.get("/cases", headers={"Authorization": "Bearer not-a-token"})
    assert assert_error(r, 401)["details"][0]["code"] == "token_invalid"


def test_a_basic_auth_header_is_not_a_token(api):
    assert_error(api.get("/cases", headers={"Authorization": "Basic Y2xlcms6eA=="}), 401)


def test_a_revoked_token_no_longer_works(api):
    token = api.token("owner")
    assert api.delete("/token", "owner").status_code == 204
    r = api.get("/cases", headers={"Authorization": f"Bearer {token}"})
    assert_error(r, 401)


def test_revoking_without_a_token_is_401(api):
    assert_error(api.delete("/token"), 401)


def test_a_token_expires(api, clock):
    api.token("owner")
    clock.advance(hours=13)
    assert_error(api.get("/cases", "owner"), 401)


def test_a_disabled_account_token_stops_working(api, app, app_people):
    api.token("clerk")
    services.update_user(
        app.extensions["jiati"], app_people.admin.id, app_people.clerk.id, active=False
    )
    assert_error(api.get("/cases", "clerk"), 401)
