"""The residents' pages: the household's link (accept the role, report a problem with photos,
close it, give the acceptance opinion), the applicant's case page (name representatives, answer)
and the staff case page and queue (representatives, problems, the round, paper acceptance)."""

from __future__ import annotations

import io

from PIL import Image

from workflow import services
from workflow.read import cases as queries

from ..journey import pdf_bytes


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2000, 1500), (30, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def case(app, people, case_id):
    return queries.describe_case(app.extensions["jiati"], people.owner.id, case_id)


def test_the_applicant_names_representatives_who_accept_through_their_links(
    as_owner, app, app_people, app_journey
):
    case_id = app_journey.case_in("approved")
    html = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert "指定或更换居民监督代表" in html and "居民监督代表（勾选 3 至 5 户）" in html
    r = as_owner.post(f"/my/cases/{case_id}/supervisors", data={"rooms": ["501", "601", "301"]})
    assert r.status_code == 302
    assert [s["room"] for s in case(app, app_people, case_id)["supervisors"]] == [
        "501",
        "601",
        "301",
    ]

    token = app_journey.tokens(case_id)["501"]
    page = as_owner.get(f"/sign/{token}").get_data(as_text=True)
    assert "本户被推荐为居民监督代表" in page and "接受担任居民监督代表" in page
    r = as_owner.post(f"/sign/{token}/supervisor", data={"accept": "yes"})
    assert r.status_code == 302
    page = as_owner.get(f"/sign/{token}").get_data(as_text=True)
    assert "本户是居民监督代表" in page
    assert case(app, app_people, case_id)["supervisors"][0]["accepted"] is True


def test_too_few_representatives_are_refused_with_the_reason(as_owner, app_journey):
    case_id = app_journey.case_in("approved")
    as_owner.post(f"/my/cases/{case_id}/supervisors", data={"rooms": ["501"]})
    html = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert "居民监督代表应为 3 至 5 户（现为 1 户）" in html


def test_start_construction_shows_what_the_representatives_still_lack(
    as_owner, app, app_people, app_journey
):
    case_id = app_journey.case_in("approved")
    services.upload_document(app.extensions["jiati"], app_people.owner.id, case_id, "installation_notice", pdf_bytes())  # fmt: skip
    html = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert "请先指定 3 至 5 户居民监督代表" in html


def test_a_household_reports_a_problem_with_a_photo_and_the_applicant_answers(
    client, app, app_people, app_journey
):
    case_id = app_journey.case_in("construction")
    tokens = app_journey.tokens(case_id)
    r = client.post(
        f"/sign/{tokens['401']}/problems",
        data={"text": "楼道被钢材堵住", "photos": [(io.BytesIO(jpeg()), "p.jpg")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    page = client.get(f"/sign/{tokens['401']}").get_data(as_text=True)
    assert "楼道被钢材堵住" in page and "未解决" in page
    [problem] = case(app, app_people, case_id)["problems"]
    photo = client.get(f"/sign/{tokens['101']}/problems/{problem['id']}/photos/1")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(photo.data)).size) == 1280

    from ..conftest import login

    login(client, app_people.owner.username)
    html = client.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert "楼道被钢材堵住" in html and f'id="answer-{problem["id"]}"' in html
    r = client.post(f"/my/cases/{case_id}/problems/{problem['id']}/answer", data={"text": "已清运"})
    assert r.status_code == 302
    page = client.get(f"/sign/{tokens['401']}").get_data(as_text=True)
    assert "申请人答复" in page and "已清运" in page
    r = client.post(f"/sign/{tokens['401']}/problems/{problem['id']}/close", data={"solved": "no"})
    assert r.status_code == 400 and "请填写理由" in r.get_data(as_text=True)
    r = client.post(f"/sign/{tokens['401']}/problems/{problem['id']}/close", data={"solved": "yes"})
    assert r.status_code == 302
    assert case(app, app_people, case_id)["problems"][0]["open"] is False


def test_a_picture_that_is_not_one_is_refused(client, app_journey):
    case_id = app_journey.case_in("construction")
    token = app_journey.tokens(case_id)["401"]
    r = client.post(
        f"/sign/{token}/problems",
        data={"text": "有问题", "photos": [(io.BytesIO(pdf_bytes()), "p.jpg")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 415 and "文件格式不符" in r.get_data(as_text=True)


def test_each_household_gives_its_acceptance_opinion(client, app, app_people, app_journey):
    case_id = app_journey.case_in("acceptance")
    token = app_journey.tokens(case_id)["601"]
    page = client.get(f"/sign/{token}").get_data(as_text=True)
    assert "竣工验收意见" in page and "基本满意" in page
    r = client.post(f"/sign/{token}/acceptance", data={"opinion": "dissatisfied"})
    assert r.status_code == 400 and "请填写不满意的理由" in r.get_data(as_text=True)
    r = client.post(
        f"/sign/{token}/acceptance", data={"opinion": "dissatisfied", "reason": "噪音大"}
    )
    assert r.status_code == 302
    assert "本户已提交：不满意" in client.get(f"/sign/{token}").get_data(as_text=True)
    counts = case(app, app_people, case_id)["acceptance"]["counts"]
    assert counts["dissatisfied"] == 1


def test_the_clerk_sees_the_round_and_confirmation_refused(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("acceptance")
    tokens = app_journey.tokens(case_id)
    rt = app.extensions["jiati"]
    services.report_problem(rt, tokens["501"], "轿厢门异响")
    services.give_acceptance_opinion(rt, tokens["101"], "satisfied")
    html = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "居民监督与验收" in html and "轿厢门异响" in html
    assert "满意 1 户，基本满意 0 户，不满意 0 户，未提交 5 户；未解决问题 1 项" in html
    assert "501 室反映的问题尚未解决：轿厢门异响" in html  # why 确认竣工 is blocked
    assert "退回整改" in html and "需整改的事项（每行一项）" in html
    queue = as_clerk.get("/staff/").get_data(as_text=True)
    assert "居民问题未解决 1 项" in queue
    r = as_clerk.post(
        f"/staff/cases/{case_id}/actions/return_for_rectification",
        data={"other": "轿厢门调整", "expected_version": case(app, app_people, case_id)["version"]},
    )
    assert r.status_code == 303
    assert case(app, app_people, case_id)["state"] == "construction"


def test_the_clerk_records_a_paper_acceptance(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("approved")
    rt = app.extensions["jiati"]
    services.name_supervisors(rt, app_people.owner.id, case_id, ["501", "601", "301"])
    html = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "登记纸质签字接受" in html
    r = as_clerk.post(f"/staff/cases/{case_id}/supervisors", data={"room": "601"})
    assert r.status_code == 303
    accepted = {s["room"]: s["accepted"] for s in case(app, app_people, case_id)["supervisors"]}
    assert accepted == {"501": False, "601": True, "301": False}


def test_the_full_journey_confirms_with_the_form_listed(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("completed")
    html = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "竣工居民验收意见表" in html
