"""The inbox on the applicant's pages and the staff pages: a count in the menu, a list page."""

from __future__ import annotations


def test_the_applicant_reads_that_the_window_accepted_the_case(as_owner, app_journey):
    app_journey.case_in("review")
    home = as_owner.get("/my/").get_data(as_text=True)
    assert 'href="/inbox/"' in home and "消息（1）" in home
    page = as_owner.get("/inbox/").get_data(as_text=True)
    assert "联合审查" in page and "/track" in page


def test_the_window_reads_of_a_new_submission(as_clerk, app_journey):
    app_journey.case_in("submitted")
    page = as_clerk.get("/inbox/").get_data(as_text=True)
    assert "待受理" in page


def test_the_inbox_needs_a_login(client):
    assert client.get("/inbox/").status_code in (302, 401)
