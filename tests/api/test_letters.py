"""GET /cases/<id>/letters, the PDF of one letter, and the public verification by code."""

from __future__ import annotations

import hashlib

import pytest

from .conftest import assert_error


def letters_of(api, case_id, who="owner"):
    r = api.get(f"/cases/{case_id}/letters", who)
    assert r.status_code == 200
    return r.get_json()["letters"]


def test_a_case_lists_its_letters(api, app_journey):
    case_id = app_journey.case_in("review")
    (letter,) = letters_of(api, case_id)
    assert letter["kind"] == "acceptance_notice"
    assert letter["title"] == "受理通知书"
    assert "〔2026〕" in letter["number"]
    assert letters_of(api, case_id, "clerk") == [letter]
    assert_error(api.get(f"/cases/{case_id}/letters", "neighbour"), 404)


def test_a_letter_without_a_rendered_pdf_is_404_not_rendered(api, app_journey):
    case_id = app_journey.case_in("review")
    (letter,) = letters_of(api, case_id)
    assert letter["rendered"] is False  # the test app renders no PDF
    r = api.get(f"/cases/{case_id}/letters/{letter['id']}", "owner")
    assert assert_error(r, 404)["error"] == "letter_not_rendered"


def test_a_letter_is_only_found_under_its_own_case(api, app_journey):
    case_id = app_journey.case_in("review")
    other = app_journey.case_in("draft")
    (letter,) = letters_of(api, case_id)
    assert_error(api.get(f"/cases/{other}/letters/{letter['id']}", "owner"), 404, "not_found")
    assert_error(api.get(f"/cases/{case_id}/letters/{letter['id']}", "neighbour"), 404)
    assert_error(api.get(f"/cases/{case_id}/letters/9999", "owner"), 404)


def test_verification_by_code_needs_no_token_and_masks_the_names(api, app_journey):
    case_id = app_journey.case_in("review")
    (letter,) = letters_of(api, case_id)
    r = api.get(f"/verify/{letter['verify_code']}")
    assert r.status_code == 200
    answer = r.get_json()
    assert answer["valid"] is True
    assert (answer["kind"], answer["number"]) == ("acceptance_notice", letter["number"])
    assert answer["reference"] == api.case(case_id)["reference"]
    assert answer["date"] == letter["issued_at"][:10]
    assert answer["file"] == "not_rendered"
    assert "陈桂兰" not in answer["addressee"] and "陈**" in answer["addressee"]
    assert "刘**" in answer["addressee"]


def test_verification_ignores_case_of_the_code(api, app_journey):
    case_id = app_journey.case_in("review")
    (letter,) = letters_of(api, case_id)
    assert api.get(f"/verify/{letter['verify_code'].lower()}").status_code == 200


def test_an_unknown_code_is_404(api):
    assert_error(api.get("/verify/NOTACODE42"), 404, "not_found")
    assert_error(api.get("/verify/" + "Z" * 300), 404)


# — with the PDF renderer —————————————————————————————————————————————————————————


@pytest.fixture
def rendering(app):
    """The test app with the real PDF renderer (WeasyPrint), as in production."""
    pytest.importorskip("web.pdf.render")
    from web import PdfRenderer

    rt = app.extensions["jiati"]
    rt.renderer = PdfRenderer()
    yield rt
    rt.renderer = None


def test_the_pdf_is_the_stored_letter_byte_for_byte(api, app_journey, rendering):
    case_id = app_journey.case_in("review")
    (letter,) = letters_of(api, case_id)
    assert letter["rendered"] is True
    r = api.get(f"/cases/{case_id}/letters/{letter['id']}", "clerk")
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF-")
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
    answer = api.get(f"/verify/{letter['verify_code']}").get_json()
    assert answer["file"] == "intact"
    assert hashlib.sha256(r.data).hexdigest() == answer["sha256"]
    again = api.get(f"/cases/{case_id}/letters/{letter['id']}", "owner")
    assert again.data == r.data  # a reprint is the same bytes


def test_an_altered_file_is_reported_and_not_served(api, app_journey, rendering):
    case_id = app_journey.case_in("review")
    (letter,) = letters_of(api, case_id)
    sha = api.get(f"/verify/{letter['verify_code']}").get_json()["sha256"]
    path = rendering.store.path(sha)
    path.write_bytes(path.read_bytes() + b"% tampered\n")
    assert api.get(f"/verify/{letter['verify_code']}").get_json()["file"] == "altered"
    r = api.get(f"/cases/{case_id}/letters/{letter['id']}", "owner")
    assert assert_error(r, 404)["error"] == "letter_file_missing"


def test_a_valid_code_with_extra_characters_is_not_a_match(api, app_journey):
    case_id = app_journey.case_in("review")
    (letter,) = letters_of(api, case_id)
    assert_error(api.get(f"/verify/{letter['verify_code']}" + "X" * 40), 404)
