"""The residents watch the work and accept it (居民监督、居民不满意不验收): representatives named
and accepted before construction, problems reported and closed, the residents' acceptance
guarding the confirmation of completion."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image
from sqlalchemy import select

from workflow import services
from workflow.data import audit
from workflow.data.models import Case, Document, Event, OutboxMessage
from workflow.errors import Conflict, Forbidden, GuardsFailed, InvalidInput, UnsupportedFile
from workflow.read.cases import describe_case

from ..journey import COMPLETION, INSTALLER, Journey, make_people, pdf_bytes


def photo_bytes(size=(3000, 2000)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def codes(exc) -> list[str]:
    return [m.code for m in exc.value.messages]


def texts(exc) -> str:
    return " ".join(m.zh for m in exc.value.messages)


def messages(rt, **where):
    with rt.db.session() as s:
        q = select(OutboxMessage).order_by(OutboxMessage.id)
        for k, v in where.items():
            q = q.where(getattr(OutboxMessage, k) == v)
        return list(s.scalars(q))


def kinds(rt, case_id):
    with rt.db.session() as s:
        return [e.kind for e in s.scalars(select(Event).where(Event.case_id == case_id))]


@pytest.fixture
def approved(rt, journey, people):
    case_id = journey.case_in("approved")
    services.upload_document(rt, people.owner.id, case_id, "installation_notice", pdf_bytes())
    return case_id


def start(rt, people, case_id):
    return services.fire(rt, people.owner.id, case_id, "start_construction", INSTALLER)


# — representatives ————————————————————————————————————————————————————————————————


def test_construction_does_not_start_before_representatives_are_named(rt, people, approved):
    with pytest.raises(GuardsFailed) as exc:
        start(rt, people, approved)
    assert "请先指定 3 至 5 户居民监督代表" in texts(exc)


def test_construction_waits_until_enough_representatives_accepted(rt, people, journey, approved):
    tokens = journey.tokens(approved)
    services.name_supervisors(rt, people.owner.id, approved, ["501", "601", "301"])
    services.accept_supervisor_role(rt, tokens["501"], True)
    with pytest.raises(GuardsFailed) as exc:
        start(rt, people, approved)
    assert "现已接受 1 户；待接受：601、301" in texts(exc)
    services.accept_supervisor_role(rt, tokens["601"], True)
    services.record_paper_supervisor(rt, people.clerk.id, approved, "301")
    assert start(rt, people, approved).state == "construction"
    assert {"supervisors_named", "supervisor_accepted"} <= set(kinds(rt, approved))


def test_each_proposed_representative_is_asked_through_its_own_link(rt, people, journey, approved):
    services.name_supervisors(rt, people.owner.id, approved, ["501", "601", "301"])
    asked = messages(rt, kind="supervisor")
    assert sorted(m.phone for m in asked) == ["13900000301", "13900000501", "13900000601"]
    assert all(f"/sign/{journey.tokens(approved)['501']}" in m.text for m in asked[:1])


def test_three_to_five_representatives_from_the_roster(rt, people, approved):
    with pytest.raises(InvalidInput) as exc:
        services.name_supervisors(rt, people.owner.id, approved, ["501", "601"])
    assert "应为 3 至 5 户" in texts(exc)
    with pytest.raises(InvalidInput) as exc:
        services.name_supervisors(rt, people.owner.id, approved, ["101", "201", "301", "401", "501", "601"])  # fmt: skip
    assert "现为 6 户" in texts(exc)
    with pytest.raises(InvalidInput) as exc:
        services.name_supervisors(rt, people.owner.id, approved, ["501", "601", "999"])
    assert "没有 999 室" in texts(exc)


def test_a_unit_smaller_than_the_minimum_names_every_household(tmp_path, clock):
    from ..conftest import make_runtime

    rt = make_runtime(f"sqlite:///{tmp_path / 'small.sqlite3'}", tmp_path, clock, supervisors_min=8)
    people = make_people(rt)
    journey = Journey(rt, people)
    case_id = journey.case_in("approved")
    services.upload_document(rt, people.owner.id, case_id, "installation_notice", pdf_bytes())
    rt.settings = replace(rt.settings, supervisors_max=8)
    journey.representatives_accept(case_id, rooms=list(journey.tokens(case_id)))  # all six
    assert start(rt, people, case_id).state == "construction"
    rt.db.dispose()


def test_replacing_a_representative_who_accepted_says_why(rt, people, journey, approved):
    journey.representatives_accept(approved, ["501", "601", "301"])
    with pytest.raises(InvalidInput) as exc:
        services.name_supervisors(rt, people.owner.id, approved, ["501", "601", "401"])
    assert codes(exc) == ["reason"]
    services.name_supervisors(
        rt, people.owner.id, approved, ["501", "601", "401"], reason="301 室业主本人请辞"
    )
    with rt.db.session() as s:
        event = s.scalars(select(Event).where(Event.kind == "supervisors_named")).all()[-1]
        assert event.payload["stepped_down"] == ["301"]
        assert event.payload["reason"] == "301 室业主本人请辞"
        assert event.actor_role == "applicant"
    with pytest.raises(GuardsFailed) as exc:
        start(rt, people, approved)
    assert "待接受：401" in texts(exc)


def test_a_household_may_decline_the_role(rt, people, journey, approved):
    tokens = journey.tokens(approved)
    services.name_supervisors(rt, people.owner.id, approved, ["501", "601", "301"])
    services.accept_supervisor_role(rt, tokens["601"], False)
    view = services.resident_view(rt, tokens["601"])
    assert view.representative is None
    assert [x["room"] for x in view.supervisors] == ["501", "301"]


def test_the_case_shows_representatives_with_masked_names(rt, people, journey, approved):
    journey.representatives_accept(approved, ["501", "601", "301"])
    case = describe_case(rt, people.owner.id, approved)
    assert case["supervisors"][0] == {"room": "501", "name": "吴**", "accepted": True}


# — problems ——————————————————————————————————————————————————————————————————————


@pytest.fixture
def building(rt, journey):
    return journey.case_in("construction")


def test_a_household_reports_a_problem_with_photos_and_the_applicant_hears(
    rt, people, journey, building
):
    tokens = journey.tokens(building)
    pid = services.report_problem(rt, tokens["401"], "井道焊接处有火花溅到楼道", [photo_bytes()])
    [sms] = messages(rt, kind="problem")
    assert sms.user_id == people.owner.id and "401 室反映了施工问题" in sms.text
    [problem] = services.residents.problems(rt, people.clerk.id, building)
    assert (problem["id"], problem["room"], problem["open"], problem["photos"]) == (
        pid,
        "401",
        True,
        [1],
    )
    shown = Image.open(io.BytesIO(services.residents.photo(rt, pid, 1, token=tokens["101"])))
    assert max(shown.size) == 1280  # shrunk for display


def test_photos_are_images_checked_by_content_and_at_most_six(rt, journey, building):
    token = journey.tokens(building)["401"]
    with pytest.raises(UnsupportedFile):
        services.report_problem(rt, token, "有问题", [pdf_bytes()])
    with pytest.raises(UnsupportedFile):
        services.report_problem(rt, token, "有问题", [b"\x89PNG\r\n\x1a\n<html>not a picture"])
    with pytest.raises(InvalidInput) as exc:
        services.report_problem(rt, token, "有问题", [photo_bytes((10, 10))] * 7)
    assert "最多上传 6 张照片" in texts(exc)


def test_problems_are_reported_only_while_building(rt, journey):
    case_id = journey.case_in("approved")
    with pytest.raises(Conflict):
        services.report_problem(rt, journey.tokens(case_id)["401"], "太早了")


def test_the_applicant_answers_and_the_reporter_hears(rt, people, journey, building):
    tokens = journey.tokens(building)
    pid = services.report_problem(rt, tokens["401"], "楼道被材料堵住")
    services.answer_problem(rt, people.owner.id, building, pid, "已清理并设置围挡")
    [sms] = messages(rt, kind="problem_answer")
    assert sms.phone == "13900000401" and f"/sign/{tokens['401']}" in sms.text
    with pytest.raises(Forbidden):
        services.answer_problem(rt, people.clerk.id, building, pid, "窗口不能代答")


def test_only_the_reporter_or_a_representative_closes_a_problem(rt, people, journey, building):
    tokens = journey.tokens(building)  # the representatives are 101, 201, 301
    pid = services.report_problem(rt, tokens["401"], "楼道被材料堵住")
    with pytest.raises(Forbidden):
        services.close_problem(rt, tokens["601"], pid, True)
    with pytest.raises(InvalidInput):
        services.close_problem(rt, tokens["401"], pid, False)  # kept open needs a reason
    services.close_problem(rt, tokens["401"], pid, False, "材料还在")
    services.close_problem(rt, tokens["101"], pid, True)
    [problem] = services.residents.problems(rt, people.owner.id, building)
    assert not problem["open"] and [r["kind"] for r in problem["replies"]] == [
        "kept_open",
        "solved",
    ]
    assert {"problem_reported", "problem_kept_open", "problem_closed"} <= set(kinds(rt, building))


# — the residents' acceptance ——————————————————————————————————————————————————————


@pytest.fixture
def checking(rt, journey):
    return journey.case_in("acceptance")


def confirm(rt, people, case_id):
    return services.fire(rt, people.clerk.id, case_id, "confirm_completion")


def test_reporting_completion_sends_every_household_its_link(rt, journey, checking):
    sent = messages(rt, kind="resident_acceptance")
    assert len(sent) == 6
    assert {m.text.split("：")[-1].rsplit("/", 1)[-1] for m in sent} == set(
        journey.tokens(checking).values()
    )


def test_confirmation_waits_for_every_representative(rt, people, journey, checking):
    tokens = journey.tokens(checking)
    services.give_acceptance_opinion(rt, tokens["101"], "satisfied")
    services.give_acceptance_opinion(rt, tokens["201"], "basically_satisfied")
    with pytest.raises(GuardsFailed) as exc:
        confirm(rt, people, checking)
    assert texts(exc) == "居民监督代表 301 室尚未提交验收意见。"
    case = describe_case(rt, people.clerk.id, checking)
    assert case["acceptance"]["counts"] == {
        "satisfied": 1,
        "basically_satisfied": 1,
        "dissatisfied": 0,
    }
    assert case["acceptance"]["ready"] is False
    services.give_acceptance_opinion(rt, tokens["301"], "satisfied")
    assert describe_case(rt, people.clerk.id, checking)["acceptance"]["ready"] is True
    assert confirm(rt, people, checking).state == "completed"


def test_residents_not_satisfied_no_acceptance(rt, people, journey, checking):
    """居民不满意不验收: an open problem, a dissatisfied representative, an unanswered 不满意."""
    tokens = journey.tokens(checking)
    journey.residents_satisfied(checking)
    services.report_problem(rt, tokens["501"], "轿厢门关闭时有异响")
    services.give_acceptance_opinion(rt, tokens["101"], "dissatisfied", "候梯厅地砖破损")
    services.give_acceptance_opinion(rt, tokens["601"], "dissatisfied", "噪音大")
    with pytest.raises(GuardsFailed) as exc:
        confirm(rt, people, checking)
    assert [m.zh for m in exc.value.messages] == [
        "501 室反映的问题尚未解决：轿厢门关闭时有异响",
        "居民监督代表 101 室不满意：候梯厅地砖破损",
        "101 室不满意（候梯厅地砖破损），申请人尚未答复。",
        "601 室不满意（噪音大），申请人尚未答复。",
    ]
    services.answer_opinion(rt, people.owner.id, checking, "601", "已加装减震垫")
    services.give_acceptance_opinion(rt, tokens["101"], "basically_satisfied")  # changed
    pid = services.residents.problems(rt, people.owner.id, checking)[0]["id"]
    services.close_problem(rt, tokens["501"], pid, True)
    assert confirm(rt, people, checking).state == "completed"


def test_dissatisfied_needs_a_reason(rt, journey, checking):
    with pytest.raises(InvalidInput):
        services.give_acceptance_opinion(rt, journey.tokens(checking)["401"], "dissatisfied")


def test_return_for_rectification_opens_a_new_round(rt, people, journey, checking):
    tokens = journey.tokens(checking)
    journey.residents_satisfied(checking)
    with pytest.raises(GuardsFailed):
        services.fire(rt, people.clerk.id, checking, "return_for_rectification", {"items": ""})
    out = services.fire(
        rt, people.clerk.id, checking, "return_for_rectification", {"items": "候梯厅地砖修补"}
    )
    assert out.state == "construction"
    case = describe_case(rt, people.owner.id, checking)
    assert case["corrections"][-1]["items"][0]["text"] == "候梯厅地砖修补"
    with pytest.raises(Conflict):
        services.give_acceptance_opinion(rt, tokens["101"], "satisfied")
    services.fire(
        rt,
        people.owner.id,
        checking,
        "report_completion",
        {**COMPLETION, "registration_number": "梯11鄂F00001(26)"},
    )
    case = describe_case(rt, people.owner.id, checking)
    assert case["acceptance"]["round"] == 2 and case["acceptance"]["not_given"] == 6
    assert case["corrections"][-1]["answered_at"] is not None
    with pytest.raises(GuardsFailed):
        confirm(rt, people, checking)  # earlier opinions are kept, not counted


def test_confirmation_issues_the_residents_acceptance_form(rt, people, journey, checking):
    journey.residents_satisfied(checking)
    confirm(rt, people, checking)
    with rt.db.session() as s:
        doc = s.scalar(select(Document).where(Document.kind == "resident_acceptance"))
        assert doc.verify_code and doc.data["counts"] == {"满意": 6, "基本满意": 0, "不满意": 0}
        assert [x["room"] for x in doc.data["supervisors"]] == ["101", "201", "301"]
        assert s.get(Case, checking).completed_at is not None
        assert audit.verify(s)[1] is None
    papers = describe_case(rt, people.clerk.id, checking)["other_documents"]
    assert any(d["label"] == "竣工居民验收意见表" for d in papers.values())


@pytest.mark.postgres
def test_the_residents_round_on_postgresql(pg_url, tmp_path, clock):
    from web.schema import upgrade_database

    from ..conftest import make_runtime

    upgrade_database(pg_url)
    rt = make_runtime(pg_url, tmp_path, clock)
    people = make_people(rt)
    journey = Journey(rt, people)
    case_id = journey.case_in("acceptance")
    token = journey.tokens(case_id)["501"]
    pid = services.report_problem(rt, token, "轿厢门有异响", [photo_bytes((800, 600))])
    journey.residents_satisfied(checking := case_id)
    with pytest.raises(GuardsFailed):
        confirm(rt, people, checking)
    services.answer_problem(rt, people.owner.id, case_id, pid, "已调整门机")
    services.close_problem(rt, token, pid, True)
    assert confirm(rt, people, case_id).state == "completed"
    rt.db.dispose()


def test_a_unit_no_larger_than_the_minimum_is_proposed_whole_on_approval(tmp_path, clock):
    from ..conftest import make_runtime

    rt = make_runtime(f"sqlite:///{tmp_path / 'six.sqlite3'}", tmp_path, clock, supervisors_min=6)
    people = make_people(rt)
    journey = Journey(rt, people)
    case_id = journey.case_in("approved")
    case = describe_case(rt, people.owner.id, case_id)
    assert [s["room"] for s in case["supervisors"]] == ["101", "201", "301", "401", "501", "601"]
    assert not any(s["accepted"] for s in case["supervisors"])
    assert len(messages(rt, kind="supervisor")) == 6
    rt.db.dispose()
