"""The lead approver extends the review from the case page; the owner sees it on /track."""

from __future__ import annotations

from workflow.read import cases as queries


def describe(app, people, case_id):
    return queries.describe_case(app.extensions["jiati"], people.housing.id, case_id)


def test_lead_approver_extends_the_review_from_the_case_page(
    as_housing, app, app_people, app_journey
):
    case_id = app_journey.case_in("review")
    page = as_housing.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert 'id="action-extend_review"' in page and 'type="number"' in page
    r = as_housing.post(
        f"/staff/cases/{case_id}/actions/extend_review",
        data={
            "expected_version": describe(app, app_people, case_id)["version"],
            "days": "4",
            "reason": "需要补充采光分析",
        },
    )
    assert r.status_code == 303
    c = describe(app, app_people, case_id)
    assert c["deadline"]["due"] == "2026-12-11" and c["review_extended_days"] == 4
    assert c["letters"][-1]["title"] == "延长审批期限告知书"
    page = as_housing.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "审查期限延长" in page

    track = as_housing.get(f"/track?reference={c['reference']}&phone_tail=0001")
    assert "审查期限已依法延长 4 个工作日" in track.get_data(as_text=True)


def test_an_extension_beyond_the_setting_is_refused_with_the_reason(
    as_housing, app, app_people, app_journey
):
    case_id = app_journey.case_in("review")
    r = as_housing.post(
        f"/staff/cases/{case_id}/actions/extend_review",
        data={
            "expected_version": describe(app, app_people, case_id)["version"],
            "days": "30",
            "reason": "x",
        },
    )
    assert r.status_code == 422
    assert "延长天数应为 1 至 10 个工作日" in r.get_data(as_text=True)
