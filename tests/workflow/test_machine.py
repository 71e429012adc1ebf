"""The machine as a table (after BOPS' state-machine shared examples): for every state,
exactly which triggers are allowed, every other one refused."""

import pytest
from transitions.core import MachineError

from workflow.process import machine, states
from workflow.process.machine import TRANSITIONS
from workflow.process.states import STATES

ALLOWED = {
    "draft": {"start_consultation", "withdraw"},
    "consultation": {"finish_consultation", "withdraw"},
    "publicity": {"submit", "withdraw"},
    "submitted": {"accept", "refuse_acceptance", "request_correction", "withdraw"},
    "not_accepted": set(),
    "correction": {"resubmit", "withdraw"},
    "review": {"return_for_correction", "extend_review", "approve", "reject"},
    "approved": {"start_construction"},
    "rejected": set(),
    "construction": {"report_completion"},
    "acceptance": {"confirm_completion", "return_for_rectification"},
    "completed": {"apply_subsidy"},
    "subsidy_review": {"approve_subsidy", "return_subsidy"},
    "subsidy_approved": {"record_payment", "correct_subsidy"},
    "subsidy_paid": set(),
    "withdrawn": set(),
}

ROLES = {
    "start_consultation": {"applicant"}, "finish_consultation": {"applicant"},
    "submit": {"applicant"}, "accept": {"clerk"}, "refuse_acceptance": {"clerk"},
    "request_correction": {"clerk"},
    "resubmit": {"applicant"}, "return_for_correction": {"approver"},
    "extend_review": {"lead_approver"},
    "approve": {"lead_approver"}, "reject": {"lead_approver"},
    "start_construction": {"applicant"}, "report_completion": {"applicant"},
    "confirm_completion": {"clerk"}, "return_for_rectification": {"clerk"},
    "apply_subsidy": {"applicant"},
    "approve_subsidy": {"lead_approver"}, "return_subsidy": {"lead_approver"},
    "correct_subsidy": {"lead_approver"},
    "record_payment": {"clerk"}, "withdraw": {"applicant"},
}  # fmt: skip


def test_sixteen_states_with_chinese_labels():
    labels = {s.name: s.label for s in STATES}
    assert len(labels) == 16
    assert labels["submitted"] == "待受理" and labels["subsidy_approved"] == "补贴已核准"
    assert labels["subsidy_paid"] == "补贴已拨付"
    assert labels["not_accepted"] == "不予受理"


def test_eighteen_triggers_with_their_roles():
    assert {t.trigger: set(t.roles) for t in TRANSITIONS} == ROLES


@pytest.mark.parametrize("state", sorted(ALLOWED))
def test_each_state_allows_exactly_its_triggers(state):
    assert {t.trigger for t in machine.triggers_from(state)} == ALLOWED[state]


def test_final_states_are_the_four_ends():
    assert set(states.states_tagged("final")) == {
        "not_accepted", "rejected", "withdrawn", "subsidy_paid"
    }  # fmt: skip


def test_the_payment_is_recorded_with_its_date_amount_and_voucher():
    t = machine.TRANSITION["record_payment"]
    assert (t.sources, t.dest) == (("subsidy_approved",), "subsidy_paid")
    assert [f.name for f in t.fields] == ["paid_on", "amount", "voucher"]
    assert "window" in states.STATE["subsidy_approved"].tags


def test_a_corrected_subsidy_stays_approved_and_goes_out_in_writing():
    t = machine.TRANSITION["correct_subsidy"]
    assert (t.sources, t.dest) == (("subsidy_approved",), "subsidy_approved")
    assert t.roles == machine.TRANSITION["approve_subsidy"].roles
    assert [(f.name, f.required) for f in t.fields] == [("amount", True), ("reason", True)]
    assert [g.name for g in t.guards] == ["subsidy_correction_valid"]
    # A changed decision is given in writing with its reason, as the approval was.
    assert t.letter == machine.TRANSITION["approve_subsidy"].letter == "subsidy_notice"
    assert "issue_funding_certificates" in [e.__name__ for e in t.effects]


def test_every_adverse_act_issues_a_letter():
    letters = {t.trigger: t.letter for t in TRANSITIONS}
    assert letters["refuse_acceptance"] == "not_accepted_decision"
    assert letters["request_correction"] == letters["return_for_correction"] == "correction_notice"
    assert letters["reject"] == "rejection_decision"
    assert letters["return_subsidy"] == "subsidy_return_notice"
    assert letters["approve_subsidy"] == letters["correct_subsidy"] == "subsidy_notice"
    assert [f.name for f in machine.TRANSITION["refuse_acceptance"].fields] == ["reasons"]


def test_the_applicant_may_rate_every_act_that_concludes_a_step_for_them():
    # 好差评 (国办发〔2019〕51号): the acts are marked in the declaration, read from it alone.
    assert machine.rateable_triggers() == {
        "accept", "refuse_acceptance", "request_correction", "return_for_correction",
        "extend_review", "approve", "reject", "return_for_rectification", "confirm_completion",
        "approve_subsidy", "correct_subsidy", "return_subsidy", "record_payment",
    }  # fmt: skip
    # The applicant's own steps are not rated: nobody rates themself.
    assert (
        not {t.trigger for t in TRANSITIONS if "applicant" in t.roles} & machine.rateable_triggers()
    )


def test_the_decisions_ask_how_a_mediated_objection_was_weighed():
    for trigger in ("approve", "reject"):
        t = machine.TRANSITION[trigger]
        assert "objections_weighed" in {g.name for g in t.guards}
        assert any(f.name == "weighing" and not f.required for f in t.fields)


@pytest.mark.parametrize("state", sorted(ALLOWED))
def test_shared_machine_refuses_triggers_not_declared_for_the_state(state):
    from transitions import MachineError

    class Model:
        pass

    m = Model()
    machine.machine().add_model(m, initial=state)
    try:
        for t in TRANSITIONS:
            if t.trigger not in ALLOWED[state]:
                with pytest.raises(MachineError):
                    m.trigger(t.trigger, ctx=None)
    finally:
        machine.machine().remove_model(m)


def test_no_generated_jumps_bypass_the_guards():
    class Model:
        pass

    m = Model()
    machine.machine().add_model(m, initial="draft")
    try:
        assert not hasattr(m, "to_approved")
    finally:
        machine.machine().remove_model(m)


def test_firing_moves_the_case_and_leaves_nothing_on_it_or_on_the_shared_machine():
    from types import SimpleNamespace

    class Model:
        state = "publicity"

    case = Model()
    before = len(machine.machine().models)
    ctx = SimpleNamespace(case=case, now="2026-12-02T10:00", issued=[], params={})
    assert machine.fire_on(case, "withdraw", ctx=ctx)
    assert case.state == "withdrawn"
    assert len(machine.machine().models) == before
    assert not hasattr(case, "withdraw") and not hasattr(case, "is_withdrawn")
    # A trigger that does not start from the case's state is refused, the state unchanged.
    with pytest.raises(MachineError):
        machine.fire_on(case, "withdraw", ctx=ctx)
    assert case.state == "withdrawn"


def test_stepper_follows_the_happy_path():
    assert [s.name for s in states.main_path()] == [
        "draft", "consultation", "publicity", "submitted", "review", "approved",
        "construction", "acceptance", "completed", "subsidy_review", "subsidy_approved",
        "subsidy_paid",
    ]  # fmt: skip


def test_mermaid_diagram_has_every_transition_edge():
    text = machine.mermaid()
    for t in TRANSITIONS:
        for src in t.sources:
            assert f"{src} --> {t.dest} : {t.trigger}" in text


def test_after_the_keys_guards_are_declared_on_their_transitions():
    def guards_of(trigger):
        return [g.name for g in machine.TRANSITION[trigger].guards]

    assert {"planned_completion_given", "installer_not_barred"} <= set(
        guards_of("start_construction")
    )
    assert {"management_unit_named", "maintenance_contract_given"} <= set(
        guards_of("report_completion")
    )
    assert "planned_completion" in [f.name for f in machine.TRANSITION["start_construction"].fields]
    fields = [f.name for f in machine.TRANSITION["report_completion"].fields]
    assert fields[1:] == [
        "maintenance_company", "maintenance_credit_code",
        "maintenance_starts_on", "maintenance_ends_on",
    ]  # fmt: skip


def test_the_residents_guard_the_start_and_the_end_of_construction():
    guards = {t.trigger: [g.name for g in t.guards] for t in TRANSITIONS}
    assert "supervisors_accepted" in guards["start_construction"]
    assert guards["confirm_completion"] == [
        "no_open_problem", "representatives_satisfied", "dissatisfaction_answered"
    ]  # fmt: skip
    back = machine.TRANSITION["return_for_rectification"]
    assert (back.sources, back.dest, guards["return_for_rectification"]) == (
        ("acceptance",), "construction", ["items_listed"]
    )  # fmt: skip
