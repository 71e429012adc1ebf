"""Each person's rights (个人信息保护法第四十五至四十七条): to see and copy everything held about
them, and only that; to ask for a correction or deletion, answered in writing in time, refused
only with its legal reason."""

from __future__ import annotations

import io
import json

import pytest

from web.api.models import PersonalData
from workflow import services

from ..api.conftest import Api
from ..conftest import login
from ..journey import INSTALLER, ROSTER, application, pdf_bytes

NEIGHBOUR_PHONE = "13800000002"  # 张建国's account; he owns 401 of the applicant's unit


@pytest.fixture
def case_id(app_journey):
    roster = [dict(h) for h in ROSTER]
    roster[3].update(owner_name="张建国", phone=NEIGHBOUR_PHONE)
    rt, p = app_journey.rt, app_journey.p
    case_id = services.create_case(rt, p.owner.id, application(households=roster))
    services.set_costs(rt, p.owner.id, case_id, "600000")
    app_journey.step(case_id, "consultation")
    app_journey.step(case_id, "publicity")
    return case_id


@pytest.fixture
def api(client, app_people):
    return Api(client, app_people)


def link_of(rt, owner_id, case_id, room):
    return next(x for x in services.signing_links(rt, owner_id, case_id) if x["room"] == room)


def test_a_household_owner_sees_their_own_flat_and_vote_and_no_neighbour_phone(api, case_id):
    data = api.get("/me/data", "neighbour").get_json()
    assert data["subject"] == "account" and data["account"]["phone"] == NEIGHBOUR_PHONE
    assert [(h["room"], h["phone"]) for h in data["households"]] == [("401", NEIGHBOUR_PHONE)]
    assert [(v["room"], v["choice"]) for v in data["votes"]] == [("401", "agree")]
    assert [c["role"] for c in data["cases"]] == ["household"]
    text = json.dumps(data, ensure_ascii=False)
    for h in ROSTER:
        assert h["phone"] not in text  # the neighbours' numbers, even masked tails
        assert h["phone"][-4:] not in text or h["room"] == "401"
    assert "13800000001" not in text  # nor the applicant's


def test_the_applicant_sees_their_case_and_uploads_but_not_the_roster_they_entered(api, case_id):
    data = api.get("/me/data", "owner").get_json()
    assert [c["role"] for c in data["cases"]] == ["applicant"]
    assert [u["kind"] for u in data["uploads"]] == []  # nothing uploaded yet in publicity
    text = json.dumps(data, ensure_ascii=False)
    assert NEIGHBOUR_PHONE not in text and "13900000101" not in text
    assert [n["action"] for n in data["notices_seen"]] == ["register"]


def test_a_signing_link_shows_only_its_household_masked(api, app_journey, case_id):
    link = link_of(app_journey.rt, app_journey.p.owner.id, case_id, "501")
    data = api.get(f"/sign/{link['token']}/data").get_json()
    assert data["subject"] == "household" and "account" not in data or data["account"] is None
    assert [(h["room"], h["phone"], h["owner_name"]) for h in data["households"]] == [
        ("501", "139****0501", "吴**")
    ]
    assert [n["action"] for n in data["notices_seen"]] == ["vote"]
    text = json.dumps(data, ensure_ascii=False)
    assert NEIGHBOUR_PHONE not in text and "0401" not in text and "13900000501" not in text
    assert api.get("/sign/not-a-token/data").status_code == 404


def test_my_data_needs_a_token(api):
    assert api.get("/me/data").status_code == 401


def test_a_request_goes_to_the_clerk_due_in_fifteen_working_days(api, client, app_people):
    r = api.post("/me/requests", "neighbour", json={"kind": "delete", "text": "删除我的手机号"})
    assert r.status_code == 201
    made = r.get_json()
    # 2026-11-23 (Monday) + 15 working days
    assert (made["state"], made["due"]) == ("open", "2026-12-14")
    assert (
        api.post("/me/requests", "neighbour", json={"kind": "erase", "text": "x"}).status_code
        == 400
    )
    login(client, app_people.clerk.username)
    queue = client.get("/staff/privacy-requests").get_data(as_text=True)
    assert "删除我的手机号" in queue and "2026-12-14" in queue


def test_a_refusal_names_its_legal_reason_and_the_person_reads_the_answer(
    api, client, app_people, case_id
):
    made = api.post("/me/requests", "neighbour", json={"kind": "delete", "text": "删除我的签名"})
    rid = made.get_json()["id"]
    login(client, app_people.clerk.username)
    bare = {
        f"r{rid}-outcome": "refused",
        f"r{rid}-answer": "不能删除。",
        f"r{rid}-legal_reason": "",
    }
    client.post(f"/staff/privacy-requests/{rid}", data=bare)
    assert "删除我的签名" in client.get("/staff/privacy-requests").get_data(as_text=True)
    client.post(
        f"/staff/privacy-requests/{rid}", data={**bare, f"r{rid}-legal_reason": "vote_evidence"}
    )
    assert "删除我的签名" not in client.get("/staff/privacy-requests").get_data(as_text=True)
    mine = api.get("/me/data", "neighbour").get_json()["requests"]
    assert mine[0]["state"] == "refused" and mine[0]["answer"] == "不能删除。"
    assert "第四十七条" in mine[0]["legal_reason"]


def test_the_page_offers_both_downloads_and_a_request_form(client, app_people, case_id):
    login(client, app_people.neighbour.username)
    page = client.get("/me/data").get_data(as_text=True)
    assert "我的信息" in page and "401" in page and NEIGHBOUR_PHONE in page
    assert "13900000101" not in page
    data = json.loads(client.get("/me/data.json").get_data(as_text=True))
    assert data["households"][0]["room"] == "401"
    pdf = client.get("/me/data.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    r = client.post("/me/requests", data={"kind": "correct", "text": "我的面积应为 81.00"})
    assert r.status_code == 303
    assert "我的面积应为 81.00" in client.get("/me/data").get_data(as_text=True)


def test_a_household_asks_through_its_link(client, app_journey, case_id):
    link = link_of(app_journey.rt, app_journey.p.owner.id, case_id, "601")
    page = client.get(f"/sign/{link['token']}").get_data(as_text=True)
    assert f"/sign/{link['token']}/data" in page
    r = client.post(f"/sign/{link['token']}/requests", data={"kind": "correct", "text": "改名"})
    assert r.status_code == 303
    page = client.get(f"/sign/{link['token']}/data").get_data(as_text=True)
    assert "改名" in page and "郑*" in page and "13900000601" not in page


@pytest.fixture
def watched_case(app_journey):
    """A case in the residents' acceptance: 401 (the neighbour's flat) and 501 represent the
    unit, each reported a problem, each gave an opinion; the applicant rated the acceptance."""
    j, rt, p = app_journey, app_journey.rt, app_journey.p
    roster = [dict(h) for h in ROSTER]
    roster[3].update(owner_name="张建国", phone=NEIGHBOUR_PHONE)
    case_id = j.new_case(households=roster)
    for state in ("consultation", "publicity", "submitted", "review", "approved"):
        j.step(case_id, state)
    accept = next(
        a for a in services.ratings_of(rt, p.owner.id, case_id)["acts"] if a["trigger"] == "accept"
    )
    services.rate(rt, p.owner.id, case_id, accept["act"], 2, "窗口让我跑了两趟")
    services.upload_document(rt, p.owner.id, case_id, "installation_notice", pdf_bytes())
    j.representatives_accept(case_id, ["401", "501", "601"])
    services.fire(rt, p.owner.id, case_id, "start_construction", INSTALLER)
    tokens = j.tokens(case_id)
    mine = services.report_problem(rt, tokens["401"], "脚手架挡住了我家窗户")
    services.report_problem(rt, tokens["501"], "五楼走廊堆放建材")
    services.answer_problem(rt, p.owner.id, case_id, mine, "脚手架已移开")
    services.close_problem(rt, tokens["501"], mine, True)  # a representative closes it
    for state in ("acceptance",):
        j.step(case_id, state)
    services.give_acceptance_opinion(rt, tokens["401"], "dissatisfied", "门口地面没有恢复")
    services.give_acceptance_opinion(rt, tokens["501"], "satisfied")
    return case_id, tokens


def test_the_residents_part_shows_only_the_persons_own_roles_problems_and_opinions(
    api, watched_case
):
    data = api.get("/me/data", "neighbour").get_json()
    assert [(x["room"], bool(x["accepted_at"])) for x in data["supervision"]] == [("401", True)]
    (problem,) = data["problems"]
    assert problem["text"] == "脚手架挡住了我家窗户" and problem["closed_at"]
    assert [(r["by"], r["by_label"]) for r in problem["replies"]] == [
        ("applicant", "申请人"),
        ("representative", "居民监督代表"),  # a neighbour closed it: named by role only
    ]
    (opinion,) = data["acceptance"]
    assert (opinion["room"], opinion["opinion"], opinion["reason"]) == (
        "401",
        "dissatisfied",
        "门口地面没有恢复",
    )
    assert data["ratings"] == []  # the neighbour rated nothing
    text = json.dumps(data, ensure_ascii=False)
    assert "五楼走廊堆放建材" not in text and "吴淑珍" not in text and "13900000501" not in text
    PersonalData.model_validate(data)  # the answer is what the API document says


def test_the_applicant_sees_their_ratings_and_no_residents_opinions(api, watched_case):
    data = api.get("/me/data", "owner").get_json()
    (rating,) = data["ratings"]
    assert (rating["level"], rating["level_label"], rating["comment"]) == (
        2,
        "不满意",
        "窗口让我跑了两趟",
    )
    assert rating["desk"] == "窗口" and rating["act"]
    assert data["supervision"] == data["problems"] == data["acceptance"] == []
    assert "门口地面没有恢复" not in json.dumps(data, ensure_ascii=False)
    PersonalData.model_validate(data)


def test_a_household_link_shows_its_roles_problem_and_opinion(api, watched_case):
    _case_id, tokens = watched_case
    data = api.get(f"/sign/{tokens['501']}/data").get_json()
    assert [x["room"] for x in data["supervision"]] == ["501"]
    assert [p["text"] for p in data["problems"]] == ["五楼走廊堆放建材"]
    assert [(o["room"], o["opinion_label"]) for o in data["acceptance"]] == [("501", "满意")]
    assert data["ratings"] == []
    PersonalData.model_validate(data)
    text = json.dumps(data, ensure_ascii=False)
    assert "脚手架挡住了我家窗户" not in text and "门口地面没有恢复" not in text


def test_the_page_and_the_pdf_show_the_residents_part_and_ratings(client, app_people, watched_case):
    login(client, app_people.neighbour.username)
    page = client.get("/me/data").get_data(as_text=True)
    for shown in ("居民监督代表", "脚手架挡住了我家窗户", "居民验收意见", "门口地面没有恢复"):
        assert shown in page
    assert "五楼走廊堆放建材" not in page
    data = json.loads(client.get("/me/data.json").get_data(as_text=True))
    assert data["acceptance"][0]["opinion"] == "dissatisfied"
    client.post("/auth/logout")
    login(client, app_people.owner.username)
    assert "窗口让我跑了两趟" in client.get("/me/data").get_data(as_text=True)
    text = "".join(pdf_text(client.get("/me/data.pdf").data).split())
    assert "好差评" in text and "窗口让我跑了两趟" in text


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
