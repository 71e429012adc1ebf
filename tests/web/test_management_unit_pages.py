"""Who runs the elevator, on the applicant's cost page and on each household's signing page."""

from __future__ import annotations

import re

from workflow.read import cases as queries

from ..journey import MANAGEMENT_UNIT
from .test_homeowner_signing import links_of


def describe(app, people, case_id):
    return queries.describe_case(app.extensions["jiati"], people.owner.id, case_id)


def test_the_applicant_names_the_unit_with_the_costs(as_owner, app, app_people, app_journey):
    case_id = app_journey.case_in("draft")
    page = as_owner.get(f"/my/cases/{case_id}/costs").get_data(as_text=True)
    assert "电梯使用管理单位" in page and 'name="unit_credit_code"' in page
    r = as_owner.post(
        f"/my/cases/{case_id}/costs",
        data={
            "part": "unit",
            "unit_kind": "entrusted",
            "unit_name": "翠湖小区业主委托管理处",
            "unit_credit_code": "91420683MA4F0A1B2X",
            "unit_phone": "13907100099",
            "running_cost": "9000",
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert 'id="unit_credit_code-error"' in html and 'value="翠湖小区业主委托管理处"' in html
    r = as_owner.post(
        f"/my/cases/{case_id}/costs",
        data={
            "part": "unit",
            "unit_kind": "owners",
            "unit_name": "李秀英",
            "unit_phone": "13800000001",
            "running_cost": "9000",
        },
    )
    assert r.status_code == 302
    c = describe(app, app_people, case_id)
    assert c["management_unit"]["kind"] == "owners" and c["running_cost_fen"] == 900000


def test_owners_see_the_unit_and_their_yearly_running_cost_before_they_vote(
    client, app, app_people, app_journey
):
    case_id = app_journey.case_in("consultation")  # the journey names the unit, 12,000 a year
    c = describe(app, app_people, case_id)
    running = c["costs"]["running_shares_fen"]
    assert sum(running.values()) == 1200000
    six01 = next(x for x in links_of(app, app_people, case_id) if x["room"] == "601")
    html = client.get(f"/sign/{six01['token']}").get_data(as_text=True)
    assert MANAGEMENT_UNIT["name"] in html and "139****0088" in html
    assert MANAGEMENT_UNIT["phone"] not in html
    own = running[str(next(h["id"] for h in c["households"] if h["room"] == "601"))]
    assert f"约 {own // 100:,}.{own % 100:02d} 元" in html
    one01 = next(x for x in links_of(app, app_people, case_id) if x["room"] == "101")
    assert 'id="own-running-share"' not in client.get(f"/sign/{one01['token']}").get_data(
        as_text=True
    )


def test_the_completion_form_asks_for_the_maintenance_contract(as_owner, app_journey):
    case_id = app_journey.case_in("construction")
    html = as_owner.get(f"/my/cases/{case_id}/act/report_completion").get_data(as_text=True)
    assert "维保单位" in html and "维保合同截止日期" in html and 'type="date"' in html
    history = as_owner.get(f"/my/cases/{case_id}/progress").get_data(as_text=True)
    assert "填写电梯使用管理单位" in history and "management_unit_set" not in history


def test_the_applicant_types_the_agreements_own_running_cost_parts(
    as_owner, client, app, app_people, app_journey
):
    case_id = app_journey.case_in("draft")  # 12,000 元 a year
    page = as_owner.get(f"/my/cases/{case_id}/costs").get_data(as_text=True)
    assert 'name="own_running_shares"' in page and "按与造价相同的比例分摊" in page
    c = describe(app, app_people, case_id)
    ids = {h["room"]: str(h["id"]) for h in c["households"]}
    coefficients = {
        f"coefficient_{f}": x for f, x in enumerate(["0", "0", "0.7", "0.8", "0.9", "1.0"], 1)
    }
    data = {"estimated_cost": "600000", **coefficients, "own_running_shares": "y"}
    bad = {**data, f"running_part_{ids['301']}": "两份"}
    r = as_owner.post(f"/my/cases/{case_id}/costs", data=bad)
    assert r.status_code == 400
    assert f'id="running_part_{ids["301"]}-error"' in r.get_data(as_text=True)
    parts = {f"running_part_{ids[room]}": "1" for room in ("101", "201", "301", "401")}
    r = as_owner.post(f"/my/cases/{case_id}/costs", data={**data, **parts})
    assert r.status_code == 302
    c = describe(app, app_people, case_id)
    assert c["costs"]["running_cost_shares"] == {"101": 1, "201": 1, "301": 1, "401": 1}
    page = as_owner.get(f"/my/cases/{case_id}/costs").get_data(as_text=True)
    [box] = re.findall(r'<input[^>]*name="own_running_shares"[^>]*>', page)
    assert "checked" in box
    assert "运行费用 1 份 · 每年约 3,000.00 元" in page
    # The owners see it before they vote: 101 pays a part now, 4 of the 4 parts agreed.
    app_journey.step(case_id, "consultation")
    one01 = next(x for x in links_of(app, app_people, case_id) if x["room"] == "101")
    html = client.get(f"/sign/{one01['token']}").get_data(as_text=True)
    assert "约 3,000.00 元" in html and "本户 1 份，各户合计 4 份" in html
    # Unticked, the running cost goes back to the building cost's ratios.
    as_owner.post(f"/my/cases/{case_id}/costs", data={"estimated_cost": "600000", **coefficients})
    assert describe(app, app_people, case_id)["costs"]["running_cost_shares"] is None
