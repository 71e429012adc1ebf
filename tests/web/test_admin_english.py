"""Staff and admin forms read in English on request, labels included."""


def test_settings_form_labels_in_english(as_admin):
    page = as_admin.get("/admin/settings?lang=en").get_data(as_text=True)
    assert "Public notice (days)" in page and "Lead department" in page and "公示天数" not in page


def test_opinion_form_in_english(as_housing, app_journey):
    case_id = app_journey.case_in("review")
    page = as_housing.get(f"/staff/cases/{case_id}?lang=en").get_data(as_text=True)
    assert "Your department&#39;s opinion" in page or "Your department's opinion" in page
