"""Every homeowner form carries a CSRF token, and a post without one changes nothing."""

from __future__ import annotations

import re

import pytest

from workflow import services
from workflow.read import cases as queries


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def forms_without_token(html: str) -> list[str]:
    return [
        f[:120]
        for f in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
        if 'name="csrf_token"' not in f
    ]


PAGES = ["", "/edit", "/consent", "/costs", "/notice", "/documents", "/progress",
         "/act/withdraw"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_every_form_of_the_case_pages_has_a_token(as_owner, app_journey, csrf_on, path):
    case_id = app_journey.new_case()
    html = as_owner.get(f"/my/cases/{case_id}{path}").get_data(as_text=True)
    assert "<form" in html
    assert forms_without_token(html) == []


def test_new_application_and_signing_forms_have_a_token(
    as_owner, app, app_people, app_journey, csrf_on
):
    assert forms_without_token(as_owner.get("/my/new").get_data(as_text=True)) == []
    case_id = app_journey.case_in("consultation")
    token = services.signing_links(app.extensions["jiati"], app_people.owner.id, case_id)[0][
        "token"
    ]
    html = as_owner.get(f"/sign/{token}").get_data(as_text=True)
    assert forms_without_token(html) == []


def test_a_post_without_the_token_changes_nothing(as_owner, app, app_people, app_journey, csrf_on):
    case_id = app_journey.new_case()
    r = as_owner.post(f"/my/cases/{case_id}/act/withdraw", data={})
    assert r.status_code == 400
    c = queries.describe_case(app.extensions["jiati"], app_people.owner.id, case_id)
    assert c["state"] == "draft"
