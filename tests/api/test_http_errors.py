"""Whatever goes wrong under /api/v1, the answer is JSON {"error", "message", "details"}."""

from __future__ import annotations

from workflow.read import cases as queries

from .conftest import PREFIX, assert_error


def test_an_unknown_path_under_the_api_is_json_404(api):
    assert_error(api.get("/nowhere"), 404, "not_found")
    assert_error(api.get("/cases/abc", "owner"), 404)


def test_pages_outside_the_api_keep_their_html_errors(client):
    r = client.get("/definitely-not-a-page")
    assert r.status_code == 404
    assert r.mimetype == "text/html"


def test_a_method_a_path_does_not_take_is_json_405(api):
    assert_error(api.delete("/workflow"), 405, "method_not_allowed")
    assert_error(api.call("PUT", "/cases/1", "owner"), 405)


def test_an_unexpected_failure_is_json_500_not_a_page(api, app_journey, monkeypatch):
    case_id = app_journey.case_in("draft")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(queries, "describe_case", broken)
    body = assert_error(api.get(f"/cases/{case_id}", "owner"), 500, "internal_error")
    assert "disk" not in body["message"]


def test_the_api_needs_no_csrf_token(app, api, app_people):
    app.config["WTF_CSRF_ENABLED"] = True
    r = api.client.post(f"{PREFIX}/token", json={"username": "clerk", "password": "secret-pass-1"})
    assert r.status_code == 200


def test_json_bodies_that_are_not_objects_are_400(api):
    for raw in (b"null", b"[]", b'"x"', b"12", b"{", b"\xff\xfe"):
        r = api.post("/token", data=raw, content_type="application/json")
        assert_error(r, 400, "invalid_input")


def test_deeply_nested_json_is_400_not_500(api):
    raw = b"[" * 100_000 + b"]" * 100_000
    assert_error(api.post("/token", data=raw, content_type="application/json"), 400)


def test_a_405_names_the_methods_the_path_takes(api):
    r = api.delete("/workflow")
    assert_error(r, 405)
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"
    r = api.call("TRACE", "/cases", "owner")
    assert_error(r, 405)
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
