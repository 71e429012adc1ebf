"""A client that talks to /api/v1 as another system would: bearer tokens, JSON, nothing else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ..journey import PASSWORD, application

PREFIX = "/api/v1"


class Api:
    """`api.post("/cases", as_="owner", json=...)`: one token per person, fetched once."""

    def __init__(self, client, people):
        self.client, self.people = client, people
        self.tokens: dict[str, str] = {}

    def token(self, who: str) -> str:
        if who not in self.tokens:
            account = getattr(self.people, who)
            r = self.client.post(
                f"{PREFIX}/token", json={"username": account.username, "password": PASSWORD}
            )
            assert r.status_code == 200, r.get_json()
            self.tokens[who] = r.get_json()["token"]
        return self.tokens[who]

    def call(self, method: str, path: str, as_: str | None = None, headers=None, **kw):
        headers = dict(headers or {})
        if as_:
            headers["Authorization"] = f"Bearer {self.token(as_)}"
        return self.client.open(f"{PREFIX}{path}", method=method, headers=headers, **kw)

    def get(self, path, as_=None, **kw):
        return self.call("GET", path, as_, **kw)

    def post(self, path, as_=None, **kw):
        return self.call("POST", path, as_, **kw)

    def put(self, path, as_=None, **kw):
        return self.call("PUT", path, as_, **kw)

    def delete(self, path, as_=None, **kw):
        return self.call("DELETE", path, as_, **kw)

    def case(self, case_id: int, as_: str = "owner") -> dict:
        r = self.get(f"/cases/{case_id}", as_)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def fire(self, case_id: int, trigger: str, as_: str, json=None, **kw):
        return self.post(f"/cases/{case_id}/transitions/{trigger}", as_, json=json, **kw)


def application_json(**over) -> dict:
    """The journey's application with exact strings for areas, as JSON carries them."""
    data = application(**over)
    for h in data["households"]:
        h["area"] = str(h["area"]) if isinstance(h["area"], Decimal) else h["area"]
    return data


@pytest.fixture
def api(client, app_people) -> Api:
    return Api(client, app_people)


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The error body every refusal has: {"error", "message", "details"}."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "message", "details"}
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], list)
    if code is not None:
        assert body["error"] == code, body
    return body
