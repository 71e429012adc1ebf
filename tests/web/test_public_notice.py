"""The posted notice's QR code: the notice, and objections by owners who prove who they are."""

from workflow.read import cases as queries


def test_notice_shows_period_and_takes_an_owners_objection(client, app, app_journey, app_people):
    from dataclasses import replace

    rt = app.extensions["jiati"]
    rt.settings = replace(rt.settings, publicity_days=10)
    case_id = app_journey.case_in("publicity")
    ref = queries.describe_case(rt, app_people.owner.id, case_id)["reference"]
    page = client.get(f"/notice/{ref}").get_data(as_text=True)
    assert "公示期" in page and "还剩 10 天" in page and "本单元业主提出异议" in page

    wrong = client.post(
        f"/notice/{ref}",
        data={"room": "301", "owner_name": "李秀英", "phone_tail": "0000", "text": ""},
    )
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "手机号后四位不符" in body and "请填写异议内容" in body

    ok = client.post(f"/notice/{ref}", data={"room": "301", "owner_name": "李秀英", "phone_tail": "0301",
                                             "text": "电梯井挡住三楼厨房采光"}, follow_redirects=True)  # fmt: skip
    assert "您的异议已经提交" in ok.get_data(as_text=True)
    objections = queries.describe_case(rt, app_people.owner.id, case_id)["objections"]
    assert [(o["room"], o["text"]) for o in objections] == [("301", "电梯井挡住三楼厨房采光")]


def test_unknown_notice_is_not_found(client):
    assert client.get("/notice/JT209900001").status_code == 404
