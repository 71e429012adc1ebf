"""The API: an agent records itself with its authorisation; a daughter signs for her father."""

from __future__ import annotations

import io

from tests.journey import ROSTER, pdf_bytes
from workflow import services


def test_an_agent_records_itself_through_the_api(api, app_journey):
    case_id = app_journey.case_in("draft")
    r = api.put(
        f"/cases/{case_id}/agent",
        as_="owner",
        data={
            "kind": "installer",
            "name": "襄阳安居电梯安装有限公司",
            "file": (io.BytesIO(pdf_bytes()), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["agent"]["label"] == "襄阳安居电梯安装有限公司（电梯安装企业，代办人）"
    json_body = api.put(f"/cases/{case_id}/agent", as_="owner", json={"kind": "owner"})
    assert json_body.status_code == 415


def test_a_daughter_signs_for_her_father_through_the_api(app, api, app_journey):
    case_id = app_journey.case_in("consultation")
    rt = app.extensions["jiati"]
    link = services.signing_links(rt, app_journey.p.owner.id, case_id)[0]
    form = {
        "owner_name": ROSTER[0]["owner_name"],
        "phone_tail": ROSTER[0]["phone"][-4:],
        "choice": "agree",
        "proxy_name": "李小红",
        "proxy_relationship": "child",
    }
    missing = api.post(
        f"/sign/{link['token']}/proxy", data=form, content_type="multipart/form-data"
    )
    assert missing.status_code == 400
    r = api.post(
        f"/sign/{link['token']}/proxy",
        data={**form, "file": (io.BytesIO(pdf_bytes()), "委托书.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200 and r.get_json()["voted"] == "agree"
