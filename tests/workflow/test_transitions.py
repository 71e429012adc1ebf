"""Each trigger allowed and refused: wrong role, wrong state, failing guard, separation of
duties; every failing guard reported, not only the first."""

import pytest

from workflow import services
from workflow.data.models import Case
from workflow.errors import Conflict, Forbidden, GuardsFailed, InvalidInput, NotFound

from ..journey import pdf_bytes


def state_of(rt, case_id):
    with rt.db.session() as s:
        return s.get(Case, case_id).state


def test_start_consultation_lists_every_roster_problem(rt, journey, people):
    case_id = services.create_case(
        rt, people.owner.id,
        {"community": "翠湖花园", "address": "建设路 1 号", "building": "1号楼", "unit": "1单元",
         "floors": 6, "households": [{"room": "101", "floor": 1, "area": "70", "owner_name": "甲"}]},
    )  # fmt: skip
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.owner.id, case_id, "start_consultation")
    # Every problem at once: the roster, and the price owners must see before voting.
    assert [m.code for m in err.value.messages] == ["roster_size", "estimated_cost"]
    assert state_of(rt, case_id) == "draft"


def test_invalid_roster_rows_are_named_with_row_and_reason(rt, people):
    data = {"community": "翠湖花园", "address": "建设路", "building": "1", "unit": "1", "floors": 6,
            "households": [{"room": "101", "floor": 9, "area": "-3", "owner_name": "", "phone": "123"}]}  # fmt: skip
    with pytest.raises(InvalidInput) as err:
        services.create_case(rt, people.owner.id, data)
    codes = {m.code for m in err.value.messages}
    assert codes == {
        "households.0.floor",
        "households.0.area",
        "households.0.owner_name",
        "households.0.phone",
    }
    assert all(m.zh.startswith("第 1 行") for m in err.value.messages)


def test_finish_consultation_refused_until_quorum_met(rt, journey, people):
    case_id = journey.case_in("consultation")
    journey.sign_all(case_id, ["agree", "agree", "agree"])  # 3 of 6 households: below 2/3
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.owner.id, case_id, "finish_consultation")
    # 220 of 480 m² voted: 4 households would do by count, but area needs two more flats
    assert err.value.message == "参与表决还需 2 户（专有面积还需 100 m²）"
    assert state_of(rt, case_id) == "consultation"


def test_submit_reports_every_failing_guard_at_once(rt, journey, people, clock):
    rt.settings = rt.settings.__class__(**{**rt.settings.__dict__, "publicity_days": 10})
    case_id = journey.case_in("publicity")
    with rt.db.session() as s:
        token = s.get(Case, case_id).households[0].signing_token
    services.lodge_objection_by_link(rt, token, "电梯挡住我家窗户")
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.owner.id, case_id, "submit")
    assert {m.code for m in err.value.messages} == {
        "publicity",
        "objection",
        "document_design_plan",
    }


def test_clerk_may_not_submit_for_the_applicant(rt, journey, people):
    case_id = journey.case_in("publicity")
    with pytest.raises(Forbidden):
        services.fire(rt, people.clerk.id, case_id, "submit")


def test_homeowner_does_not_see_someone_elses_case(rt, journey, people):
    case_id = journey.case_in("draft")
    with pytest.raises(NotFound):
        services.fire(rt, people.neighbour.id, case_id, "start_consultation")


def test_trigger_in_wrong_state_is_a_conflict(rt, journey, people):
    case_id = journey.case_in("review")
    with pytest.raises(Conflict) as err:
        services.fire(rt, people.clerk.id, case_id, "accept")
    assert "联合审查" in err.value.message


def test_accept_sets_review_deadline_in_working_days_and_issues_acceptance_notice(
    rt, journey, people, clock
):
    case_id = journey.case_in("submitted")
    out = services.fire(rt, people.clerk.id, case_id, "accept")  # Monday 2026-11-23
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        assert case.state == "review"
        assert case.review_due.isoformat() == "2026-12-07"  # 10 working days after
        assert case.acceptance_due.isoformat() == "2026-11-25"
        assert [x.kind for x in case.letters] == ["acceptance_notice"]
        assert case.letters[0].number == "枣阳住建梯受〔2026〕1号"
        assert out.letters == [case.letters[0].id]


def test_request_correction_needs_an_item(rt, journey, people):
    case_id = journey.case_in("submitted")
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.clerk.id, case_id, "request_correction", {"items": []})
    assert err.value.messages[0].code == "items"


def test_correction_round_trip_needs_the_named_document_replaced(rt, journey, people, clock):
    case_id = journey.case_in("submitted")
    services.fire(
        rt,
        people.clerk.id,
        case_id,
        "request_correction",
        {"items": [{"document": "design_plan", "text": "缺少结构安全评估"}, "请补充业主联系电话"]},
    )
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.owner.id, case_id, "resubmit")
    assert [m.code for m in err.value.messages] == ["correction_design_plan"]
    clock.advance(hours=1)
    services.upload_document(rt, people.owner.id, case_id, "design_plan", pdf_bytes(2), "new.pdf")
    services.fire(rt, people.owner.id, case_id, "resubmit")
    assert state_of(rt, case_id) == "submitted"
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        assert case.letters[0].kind == "correction_notice"
        assert case.letters[0].data["items"] == ["缺少结构安全评估", "请补充业主联系电话"]


def test_approve_names_every_department_still_missing(rt, journey, people):
    case_id = journey.case_in("review")
    services.give_opinion(rt, people.planning.id, case_id, verdict="agree")
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.housing.id, case_id, "approve")
    assert [m.code for m in err.value.messages] == ["opinion_housing", "opinion_market"]


def test_only_the_lead_department_approves(rt, journey, people):
    case_id = journey.case_in("review")
    journey.all_agree(case_id)
    with pytest.raises(Forbidden):
        services.fire(rt, people.planning.id, case_id, "approve")
    services.fire(rt, people.housing.id, case_id, "approve")
    assert state_of(rt, case_id) == "approved"


def test_a_department_gives_one_opinion_per_round(rt, journey, people):
    case_id = journey.case_in("review")
    services.give_opinion(rt, people.market.id, case_id, verdict="agree")
    with pytest.raises(Conflict):
        services.give_opinion(rt, people.market.id, case_id, verdict="disagree", comment="改主意")


def test_a_new_review_round_after_correction_needs_new_opinions(rt, journey, people):
    case_id = journey.case_in("review")
    journey.all_agree(case_id)
    services.fire(
        rt, people.planning.id, case_id, "return_for_correction", {"items": "补充消防意见"}
    )
    services.fire(rt, people.owner.id, case_id, "resubmit")
    services.fire(rt, people.clerk.id, case_id, "accept")
    with pytest.raises(GuardsFailed):
        services.fire(rt, people.housing.id, case_id, "approve")
    journey.all_agree(case_id)
    services.fire(rt, people.housing.id, case_id, "approve")


def test_reject_before_every_department_has_given_its_opinion_is_refused(rt, journey, people):
    case_id = journey.case_in("review")
    services.give_opinion(rt, people.planning.id, case_id, verdict="disagree", comment="间距不足")
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.housing.id, case_id, "reject", {"reasons": "间距不足"})
    assert [m.zh for m in err.value.messages] == [
        "枣阳市住房和城乡建设局尚未出具意见，各部门意见齐全后才能作出决定。",
        "枣阳市市场监督管理局尚未出具意见，各部门意见齐全后才能作出决定。",
    ]
    assert state_of(rt, case_id) == "review"


def test_reject_needs_reasons_and_issues_the_decision(rt, journey, people):
    case_id = journey.case_in("review")
    journey.all_agree(case_id)
    with pytest.raises(GuardsFailed):
        services.fire(rt, people.housing.id, case_id, "reject", {"reasons": "  "})
    services.fire(rt, people.housing.id, case_id, "reject", {"reasons": "占用消防通道"})
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        assert case.state == "rejected"
        assert case.letters[-1].kind == "rejection_decision"
        assert case.letters[-1].data["reasons"] == "占用消防通道"


def test_separation_of_duties_a_clerk_who_owns_a_flat_may_not_accept(rt, journey, people):
    clerk2 = services.create_user(
        rt, None, username="clerk2", password="secret-pass-1", role="clerk", name="周志华"
    )
    with rt.db.transaction() as s:
        from workflow.data.models import User

        s.get(User, clerk2.id).phone = "13900000401"  # owns flat 401 in the journey's roster
    case_id = journey.case_in("submitted")
    with pytest.raises(Forbidden) as err:
        services.fire(rt, clerk2.id, case_id, "accept")
    assert err.value.messages[0].code == "separation_of_duties"


def test_an_admin_fires_no_case_trigger(rt, journey, people):
    case_id = journey.case_in("submitted")
    with pytest.raises(Forbidden):
        services.fire(rt, people.admin.id, case_id, "accept")


def test_start_construction_reports_every_missing_field_and_the_notice(rt, journey, people):
    case_id = journey.case_in("approved")
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.owner.id, case_id, "start_construction", {})
    assert {m.code for m in err.value.messages} == {
        "contractor", "start_date", "installer_name", "installer_credit_code",
        "installer_licence", "document_installation_notice", "planned_completion",
        "supervisors",
    }  # fmt: skip


def test_malformed_date_is_bad_input_not_a_guard(rt, journey, people):
    case_id = journey.case_in("approved")
    with pytest.raises(InvalidInput):
        services.fire(
            rt,
            people.owner.id,
            case_id,
            "start_construction",
            {"contractor": "甲公司", "start_date": "明天"},
        )


def test_report_completion_needs_both_certificates(rt, journey, people):
    case_id = journey.case_in("construction")
    services.upload_document(rt, people.owner.id, case_id, "inspection_report", pdf_bytes())
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.owner.id, case_id, "report_completion")
    assert [m.code for m in err.value.messages] == [
        "document_equipment_registration",
        "registration_number",
        "maintenance_company",
        "maintenance_credit_code",
        "maintenance_dates",
    ]


def test_subsidy_above_the_rule_is_refused_and_lower_needs_a_reason(rt, journey, people):
    case_id = journey.case_in("subsidy_review")
    for amount, reason in (("100000.01", ""), ("90000", "")):
        with pytest.raises(GuardsFailed):
            services.fire(
                rt,
                people.housing.id,
                case_id,
                "approve_subsidy",
                {"amount": amount, "reason": reason},
            )
    services.fire(
        rt,
        people.housing.id,
        case_id,
        "approve_subsidy",
        {"amount": "90000", "reason": "部分费用不属于补贴范围"},
    )
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        assert case.subsidy_fen == 9_000_000 and case.state == "subsidy_approved"
        assert case.letters[-1].data["amount_fen"] == 9_000_000


def test_subsidy_never_above_the_actual_cost(rt, journey, people):
    case_id = journey.case_in("completed")
    services.upload_document(rt, people.owner.id, case_id, "invoice", pdf_bytes())
    services.fire(
        rt,
        people.owner.id,
        case_id,
        "apply_subsidy",
        {"actual_cost": "75000", "payee": "业委会账户"},
    )
    services.fire(rt, people.housing.id, case_id, "approve_subsidy", {})
    with rt.db.session() as s:
        assert s.get(Case, case_id).subsidy_fen == 7_500_000


def test_return_subsidy_goes_back_to_completed(rt, journey, people):
    case_id = journey.case_in("subsidy_review")
    services.fire(rt, people.housing.id, case_id, "return_subsidy", {"reasons": "发票抬头有误"})
    assert state_of(rt, case_id) == "completed"


@pytest.mark.parametrize("state", ["draft", "consultation", "publicity", "submitted"])
def test_applicant_may_withdraw_before_review(rt, journey, people, state):
    case_id = journey.case_in(state)
    services.fire(rt, people.owner.id, case_id, "withdraw", {"reason": "暂缓"})
    assert state_of(rt, case_id) == "withdrawn"


def test_withdraw_refused_under_review(rt, journey, people):
    case_id = journey.case_in("review")
    with pytest.raises(Conflict):
        services.fire(rt, people.owner.id, case_id, "withdraw")


def test_stale_version_is_a_conflict_and_changes_nothing(rt, journey, people):
    case_id = journey.case_in("submitted")
    with rt.db.session() as s:
        version = s.get(Case, case_id).version
    with pytest.raises(Conflict):
        services.fire(rt, people.clerk.id, case_id, "accept", expected_version=version - 1)
    services.fire(rt, people.clerk.id, case_id, "accept", expected_version=version)
    assert state_of(rt, case_id) == "review"


def test_actions_show_only_what_this_user_may_fire_now(rt, journey, people):
    case_id = journey.case_in("review")
    assert [a.trigger for a in services.actions(rt, people.owner.id, case_id)] == []
    lead = {a.trigger: a for a in services.actions(rt, people.housing.id, case_id)}
    assert set(lead) == {"return_for_correction", "extend_review", "approve", "reject"}
    assert not lead["approve"].allowed and not lead["reject"].allowed
    journey.all_agree(case_id)
    lead = {a.trigger: a for a in services.actions(rt, people.housing.id, case_id)}
    assert lead["approve"].allowed and lead["reject"].allowed
    assert {a.trigger for a in services.actions(rt, people.planning.id, case_id)} == {
        "return_for_correction"
    }


def test_a_household_signs_once(rt, journey, people):
    case_id = journey.case_in("consultation")
    link = services.signing_links(rt, people.owner.id, case_id)[0]
    kwargs = dict(owner_name=link["owner_name"], phone_tail=link["phone"][-4:],
                  signature=link["owner_name"])  # fmt: skip
    services.sign(rt, link["token"], choice="agree", **kwargs)
    with pytest.raises(Conflict) as err:
        services.sign(rt, link["token"], choice="object", **kwargs)
    assert "已经表决过" in err.value.message


def test_signing_link_stops_working_when_consultation_is_over(rt, journey, people):
    case_id = journey.case_in("publicity")
    with rt.db.session() as s:
        token = s.get(Case, case_id).households[0].signing_token
    with pytest.raises(Conflict):
        services.sign(
            rt, token, owner_name="陈桂兰", phone_tail="0101", choice="agree", signature="陈桂兰"
        )


def test_signing_checks_name_and_phone_tail(rt, journey, people):
    case_id = journey.case_in("consultation")
    link = services.signing_links(rt, people.owner.id, case_id)[0]
    with pytest.raises(InvalidInput) as err:
        services.sign(
            rt,
            link["token"],
            owner_name="别人",
            phone_tail="9999",
            choice="agree",
            signature="别人",
        )
    assert {m.code for m in err.value.messages} == {"owner_name", "phone_tail", "signature"}
