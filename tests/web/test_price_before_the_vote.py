"""The price before the first vote: the signer's share is the same on the signing page, in the
owners' agreement and on the posted notice; objectors pay nothing and sign nothing."""

from __future__ import annotations

import re

from workflow import services
from workflow.read import cases as queries

from .test_homeowner_signing import links_of, sign_data


def _case_in_publicity_with_an_objector(client, app, people, journey) -> tuple[int, dict]:
    case_id = journey.case_in("consultation")
    links = links_of(app, people, case_id)
    six01 = next(x for x in links if x["room"] == "601")
    page = client.get(f"/sign/{six01['token']}").get_data(as_text=True)
    for link in links:
        choice = "object" if link["room"] == "401" else "agree"
        assert (
            client.post(f"/sign/{link['token']}", data=sign_data(link, choice=choice)).status_code
            == 302
        )
    services.fire(
        app.extensions["jiati"],
        people.owner.id,
        case_id,
        "finish_consultation",
        {"place": "单元门口"},
    )
    return case_id, {"before": page, "token": six01["token"]}


def _amount(html: str, pattern: str) -> str:
    found = re.search(pattern, html)
    assert found, pattern
    return found[1]


def test_the_signing_page_shows_the_estimate_the_share_and_the_whole_table(
    client, app, app_people, app_journey
):
    case_id = app_journey.case_in("consultation")
    link = next(x for x in links_of(app, app_people, case_id) if x["room"] == "601")
    html = client.get(f"/sign/{link['token']}").get_data(as_text=True)
    assert "600,000.00 元" in html and "100,000.00 元" in html  # estimate and expected subsidy
    share = _amount(html, r'id="own-share">([\d,.]+) 元')
    assert "601 室 <strong>（本户）</strong>" in html
    # Floors 1 and 2 pay nothing; the table says so in words, never "0.00".
    assert "不分摊" in html and ">0.00<" not in html and " 0.00 元" not in html
    assert share != "0.00"
    assert "6 户，6 位业主" in html


def test_the_signers_share_is_the_agreements_and_the_notices(
    as_owner, client, app, app_people, app_journey
):
    case_id, seen = _case_in_publicity_with_an_objector(client, app, app_people, app_journey)
    signed = client.get(f"/sign/{seen['token']}").get_data(as_text=True)
    share = _amount(signed, r'id="own-share">([\d,.]+) 元')
    agreement = as_owner.get(f"/cases/{case_id}/documents/owners_agreement/preview").get_data(
        as_text=True
    )
    notice = as_owner.get(f"/my/cases/{case_id}/notice/print").get_data(as_text=True)
    assert re.search(r"<td>601</td>.*?" + re.escape(share), agreement, re.S)
    assert re.search(r"<td>601</td><td>6</td>.*?" + re.escape(share), notice, re.S)
    for text in (agreement, notice):
        assert " 0.00 元" not in text and ">0.00<" not in text


def test_an_objector_pays_nothing_and_is_no_signatory_of_the_agreement(
    as_owner, client, app, app_people, app_journey
):
    case_id, _ = _case_in_publicity_with_an_objector(client, app, app_people, app_journey)
    c = queries.describe_case(app.extensions["jiati"], app_people.owner.id, case_id)
    four01 = next(h for h in c["households"] if h["room"] == "401")
    assert c["costs"]["shares_fen"][str(four01["id"])] == 0
    assert sum(c["costs"]["shares_fen"].values()) == c["costs"]["owners_pay_fen"]
    agreement = as_owner.get(f"/cases/{case_id}/documents/owners_agreement/preview").get_data(
        as_text=True
    )
    signatories = agreement.split("四、协议签署人", 1)[1]
    assert "周志华" not in signatories  # 401 objected
    assert "郑喆" in signatories and "吴淑珍" in signatories


def test_consultation_without_an_estimate_is_refused_with_a_clear_message(
    as_owner, app, app_people
):
    from tests.journey import application

    rt = app.extensions["jiati"]
    case_id = services.create_case(rt, app_people.owner.id, application(estimated_cost=""))
    r = as_owner.post(f"/my/cases/{case_id}/act/start_consultation", data={}, follow_redirects=True)
    assert "请先填写预计总造价" in r.get_data(as_text=True)
    assert queries.describe_case(rt, app_people.owner.id, case_id)["state"] == "draft"


def test_new_figures_after_a_vote_restart_the_consultation(
    as_owner, client, app, app_people, app_journey
):
    case_id = app_journey.case_in("consultation")
    link = links_of(app, app_people, case_id)[5]
    client.post(f"/sign/{link['token']}", data=sign_data(link))
    # The page posts every floor's coefficient with the estimate.
    coefficients = {
        f"coefficient_{f}": c for f, c in enumerate(["0", "0", "0.7", "0.8", "0.9", "1.0"], 1)
    }
    r = as_owner.post(
        f"/my/cases/{case_id}/costs", data={"estimated_cost": "660000", **coefficients}
    )
    assert r.status_code == 400 and "重新发起意见征询" in r.get_data(as_text=True)
    r = as_owner.post(
        f"/my/cases/{case_id}/costs",
        data={"estimated_cost": "660000", "restart": "y", "reason": "报价调整", **coefficients},
    )
    assert r.status_code == 302
    html = client.get(f"/sign/{link['token']}").get_data(as_text=True)
    assert "660,000.00 元" in html and "确认并签字" in html
