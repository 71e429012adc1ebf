"""The residents' voice on the pages: rating an act, the desk's rectification, the published
results, the mediator's queue and the objector's withdrawal."""

from workflow import services
from workflow.read.cases import describe_case, history

from ..conftest import login
from ..journey import add_mediator


def accept_act(app, people, case_id):
    rt = app.extensions["jiati"]
    return next(e["seq"] for e in history(rt, people.owner.id, case_id) if e["kind"] == "accept")


def test_the_case_page_offers_to_rate_the_acceptance(as_owner, app, app_people, app_journey):
    case_id = app_journey.case_in("review")
    act = accept_act(app, app_people, case_id)
    page = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert "办理评价（好差评）" in page and f"/my/cases/{case_id}/ratings/{act}" in page
    form = as_owner.get(f"/my/cases/{case_id}/ratings/{act}").get_data(as_text=True)
    assert "非常满意" in form and "非常不满意" in form
    r = as_owner.post(f"/my/cases/{case_id}/ratings/{act}", data={"level": "2", "comment": ""})
    assert r.status_code == 400 and "原因" in r.get_data(as_text=True)
    r = as_owner.post(
        f"/my/cases/{case_id}/ratings/{act}", data={"level": "2", "comment": "补正说明不清楚"}
    )
    assert r.status_code == 303
    page = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert "不满意" in page


def test_the_window_answers_a_bad_rating_from_its_queue(client, app, app_people, app_journey):
    rt = app.extensions["jiati"]
    case_id = app_journey.case_in("review")
    act = accept_act(app, app_people, case_id)
    rid = services.rate(rt, app_people.owner.id, case_id, act, 1, "排队太久")
    login(client, "clerk")
    page = client.get("/staff/ratings").get_data(as_text=True)
    assert "排队太久" in page and f"/staff/ratings/{rid}/rectify" in page
    r = client.post(f"/staff/ratings/{rid}/rectify", data={"rectification": "增设取号机"})
    assert r.status_code == 303
    assert "没有待整改的差评" in client.get("/staff/ratings").get_data(as_text=True)


def test_the_published_results_show_shares_without_comments(client, app, app_people, app_journey):
    rt = app.extensions["jiati"]
    case_id = app_journey.case_in("review")
    services.rate(rt, app_people.owner.id, case_id, accept_act(app, app_people, case_id), 2, "太慢")
    page = client.get("/ratings").get_data(as_text=True)
    assert "好差评结果公示" in page and "2026-11" in page and "100%" in page
    assert "太慢" not in page and "李秀英" not in page
    login(client, "admin")
    assert "太慢" in client.get("/admin/statistics").get_data(as_text=True)


def test_the_mediator_records_a_session_and_the_outcome(client, app, app_people, app_journey):
    rt = app.extensions["jiati"]
    case_id, oid, _ = app_journey.objection_in_publicity()
    add_mediator(rt, app_people)
    mid = services.refer(rt, app_people.owner.id, case_id, oid)
    login(client, "mediator")
    assert client.get("/").headers["Location"].endswith("/staff/mediations")
    queue = client.get("/staff/mediations").get_data(as_text=True)
    assert f"/staff/mediations/{mid}" in queue and "电梯井道遮挡采光" in queue
    r = client.post(
        f"/staff/mediations/{mid}/sessions",
        data={"held_on": "2026-11-23", "place": "社区调解室", "attendees": "101室业主，申请人",
              "notes": "提出改用玻璃幕墙"},
    )  # fmt: skip
    assert r.status_code == 303
    r = client.post(f"/staff/mediations/{mid}/outcome", data={"agreed": "no", "opinion": ""})
    assert r.status_code == 400 and "调解意见" in r.get_data(as_text=True)
    r = client.post(
        f"/staff/mediations/{mid}/outcome", data={"agreed": "no", "opinion": "建议准予加装"}
    )
    assert r.status_code == 303
    page = client.get(f"/staff/mediations/{mid}").get_data(as_text=True)
    assert "下载调解意见书" in page and "建议准予加装" in page
    assert client.get(f"/staff/cases/{case_id}").status_code == 403  # no case work for a mediator


def test_the_objector_withdraws_from_its_own_link(client, app, app_people, app_journey):
    rt = app.extensions["jiati"]
    case_id, oid, token = app_journey.objection_in_publicity()
    page = client.get(f"/sign/{token}").get_data(as_text=True)
    assert "您提出的异议" in page and f"/sign/{token}/objections/{oid}/withdraw" in page
    assert client.post(f"/sign/{token}/objections/{oid}/withdraw").status_code == 302
    (o,) = describe_case(rt, app_people.owner.id, case_id)["objections"]
    assert o["settled_by"] == "withdrawal"


def test_the_applicant_refers_from_the_notice_page(as_owner, app, app_people, app_journey):
    case_id, oid, _ = app_journey.objection_in_publicity()
    page = as_owner.get(f"/my/cases/{case_id}/notice").get_data(as_text=True)
    assert f"/my/cases/{case_id}/objections/{oid}/mediation" in page
    r = as_owner.post(f"/my/cases/{case_id}/objections/{oid}/mediation")
    assert r.status_code == 303
    assert "调解中" in as_owner.get(f"/my/cases/{case_id}/notice").get_data(as_text=True)
