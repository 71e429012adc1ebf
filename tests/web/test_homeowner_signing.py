"""The signing page: no account, one vote a household, closed after the consultation; and
objections lodged from the same link during the notice."""

from __future__ import annotations

import re

from workflow import services
from workflow.read import cases as queries


def links_of(app, people, case_id):
    return services.signing_links(app.extensions["jiati"], people.owner.id, case_id)


def vote_of(app, people, case_id, room):
    c = queries.describe_case(app.extensions["jiati"], people.owner.id, case_id)
    return next(h["vote"] for h in c["households"] if h["room"] == room)


def sign_data(link, **over):
    data = {
        "owner_name": link["owner_name"],
        "phone_tail": link["phone"][-4:],
        "choice": "agree",
        "signature": link["owner_name"],
    }
    data.update(over)
    return data


def test_consent_page_gives_each_household_a_link_and_qr_code(
    as_owner, app, app_people, app_journey
):
    case_id = app_journey.case_in("consultation")
    html = as_owner.get(f"/my/cases/{case_id}/consent").get_data(as_text=True)
    for link in links_of(app, app_people, case_id):
        assert f"/sign/{link['token']}" in html
    assert html.count("<svg") >= 6
    assert "sms:13900000101?body=" in html
    assert "参与表决的专有面积" in html and "需要达到 2/3 以上" in html
    assert "还需" in html


def test_signing_page_opens_without_an_account(client, app, app_people, app_journey):
    case_id = app_journey.case_in("consultation")
    link = links_of(app, app_people, case_id)[0]
    html = client.get(f"/sign/{link['token']}").get_data(as_text=True)
    assert "101 室" in html and "陈**" in html
    assert "陈桂兰" not in html  # the roster's full name is not disclosed
    assert "同意加装电梯" in html and "确认并签字" in html


def test_an_owner_signs_once(client, app, app_people, app_journey):
    case_id = app_journey.case_in("consultation")
    link = links_of(app, app_people, case_id)[2]
    r = client.post(f"/sign/{link['token']}", data=sign_data(link))
    assert r.status_code == 302
    assert vote_of(app, app_people, case_id, "301")["choice"] == "agree"
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "本户已表决：同意" in html and "确认并签字" not in html
    again = client.post(f"/sign/{link['token']}", data=sign_data(link, choice="object"))
    assert again.status_code == 400
    assert "已经表决过（同意），不能重复表决" in again.get_data(as_text=True)
    assert vote_of(app, app_people, case_id, "301")["choice"] == "agree"


def test_wrong_name_and_phone_tail_are_named_and_typed_values_kept(
    client, app, app_people, app_journey
):
    case_id = app_journey.case_in("consultation")
    link = links_of(app, app_people, case_id)[0]
    r = client.post(
        f"/sign/{link['token']}",
        data=sign_data(link, owner_name="陈桂芳", phone_tail="0000", choice="object"),
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "业主姓名与住户名单不符" in html and "手机号后四位不符" in html
    assert 'href="#owner_name"' in html and 'href="#phone_tail"' in html
    assert 'value="陈桂芳"' in html and 'value="0000"' in html
    assert re.search(
        r'<input[^>]*checked[^>]*value="object"|<input[^>]*value="object"[^>]*checked', html
    )
    assert vote_of(app, app_people, case_id, "101") is None


def test_no_choice_is_asked_for(client, app, app_people, app_journey):
    case_id = app_journey.case_in("consultation")
    link = links_of(app, app_people, case_id)[0]
    r = client.post(f"/sign/{link['token']}", data=sign_data(link, choice=""))
    assert r.status_code == 400
    assert "请选择同意、反对或弃权" in r.get_data(as_text=True)


def test_a_drawn_signature_is_kept_beside_the_typed_one(client, app, app_people, app_journey):
    import base64

    png = base64.b64encode(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        )
    ).decode()
    case_id = app_journey.case_in("consultation")
    link = links_of(app, app_people, case_id)[1]
    data = sign_data(link, signature_image=f"data:image/png;base64,{png}")
    assert client.post(f"/sign/{link['token']}", data=data).status_code == 302


def test_a_broken_drawn_signature_is_refused_clearly(client, app, app_people, app_journey):
    case_id = app_journey.case_in("consultation")
    link = links_of(app, app_people, case_id)[1]
    data = sign_data(link, signature_image="data:image/png;base64,bm90IGEgcG5n")
    r = client.post(f"/sign/{link['token']}", data=data)
    assert r.status_code == 400 and "手写签名图片无效" in r.get_data(as_text=True)


def test_links_stop_working_when_the_consultation_is_over(client, app, app_people, app_journey):
    case_id = app_journey.case_in("publicity")
    link = links_of(app, app_people, case_id)[0]
    html = client.get(f"/sign/{link['token']}").get_data(as_text=True)
    assert "本户已表决" in html  # the journey signed every household
    case2 = app_journey.case_in("consultation")
    services.fire(app.extensions["jiati"], app_people.owner.id, case2, "withdraw")
    link2 = links_of(app, app_people, case2)[0]
    # A closed case's links end at once (个人信息保护法第十九条).
    r = client.get(f"/sign/{link2['token']}")
    html = r.get_data(as_text=True)
    assert r.status_code == 404
    assert "签字链接已停止使用" in html and "确认并签字" not in html
    r = client.post(f"/sign/{link2['token']}", data=sign_data(link2))
    assert r.status_code == 404
    assert "签字链接已停止使用" in r.get_data(as_text=True)


def test_an_unknown_link_is_not_found(client):
    r = client.get("/sign/not-a-real-token")
    assert r.status_code == 404 and "签字链接无效" in r.get_data(as_text=True)


def test_an_objection_is_lodged_from_the_link_during_the_notice(
    client, as_owner, app, app_people, app_journey
):
    case_id = app_journey.case_in("publicity")
    link = links_of(app, app_people, case_id)[0]
    html = client.get(f"/sign/{link['token']}").get_data(as_text=True)
    assert "提出异议" in html
    r = client.post(f"/sign/{link['token']}/objection", data={"text": ""})
    assert r.status_code == 400 and "请填写异议内容" in r.get_data(as_text=True)
    r = client.post(f"/sign/{link['token']}/objection", data={"text": "挡住一楼采光"})
    assert r.status_code == 302
    notice = as_owner.get(f"/my/cases/{case_id}/notice").get_data(as_text=True)
    assert "挡住一楼采光" in notice and "待处理" in notice
    case = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert "还有 1 项异议未处理完毕" in case


def test_the_notice_qr_page_shows_the_notice_and_how_to_object(
    client, app, app_people, app_journey
):
    case_id = app_journey.case_in("publicity")
    c = queries.describe_case(app.extensions["jiati"], app_people.owner.id, case_id)
    html = client.get(f"/notice/{c['reference']}").get_data(as_text=True)
    assert c["reference"] in html and "本单元业主提出异议" in html
    link = links_of(app, app_people, case_id)[0]
    r = client.get(f"/notice/{link['token']}")
    assert r.status_code == 302 and f"/sign/{link['token']}#objection" in r.headers["Location"]


def test_signing_pages_are_never_cached(client, app, app_people, app_journey):
    case_id = app_journey.case_in("consultation")
    link = links_of(app, app_people, case_id)[0]
    assert client.get(f"/sign/{link['token']}").headers["Cache-Control"] == "no-store"


def test_signing_page_shows_what_the_household_would_pay(client, app, app_people, app_journey):
    case_id = app_journey.case_in("consultation")
    c = queries.describe_case(app.extensions["jiati"], app_people.owner.id, case_id)
    top = next(h for h in c["households"] if h["room"] == "601")
    link = next(x for x in links_of(app, app_people, case_id) if x["room"] == "601")
    html = client.get(f"/sign/{link['token']}").get_data(as_text=True)
    from workflow.rules.money import yuan

    assert "600,000.00 元" in html
    assert f"{yuan(c['costs']['shares_fen'][str(top['id'])])} 元" in html
