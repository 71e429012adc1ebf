"""The installers' record, from recorded facts only, and the city's bar on new work."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workflow import services
from workflow.data.models import Event
from workflow.errors import Forbidden, GuardsFailed, InvalidInput, NotFound
from workflow.read import installers as record

from ..journey import COMPLETION, INSTALLER, pdf_bytes


def built(journey, clock, start: str, planned: str, days: int, **installer) -> int:
    """A case whose construction started on `start`, planned to end on `planned`, and whose
    completion was reported `days` later and confirmed."""
    rt, owner = journey.rt, journey.p.owner.id
    case_id = journey.case_in("approved")
    services.upload_document(rt, owner, case_id, "installation_notice", pdf_bytes())
    journey.representatives_accept(case_id)
    services.fire(
        rt, owner, case_id, "start_construction",
        {**INSTALLER, "start_date": start, "planned_completion": planned, **installer},
    )  # fmt: skip
    clock.advance(days=days)
    journey.step(case_id, "acceptance")
    journey.step(case_id, "completed")
    return case_id


def test_figures_come_from_the_cases(rt, journey, clock):
    built(journey, clock, "2026-11-23", "2027-01-10", 40)  # on time: 40 days
    built(journey, clock, "2027-01-02", "2027-02-01", 50)  # 50 days, 20 days late
    journey.case_in("construction")  # started, not yet completed
    [row] = record.installers(rt)
    assert row["credit_code"] == INSTALLER["installer_credit_code"]
    assert (row["started"], row["completed"], row["on_time"]) == (3, 2, 1)
    assert row["on_time_share"] == "50%"
    assert (row["average_days"], row["average_days_late"]) == ("45.0", "10.0")
    assert row["bar"] is None
    # The residents' figures come from what they recorded: no problem, no return, and every
    # household satisfied in the last round of the two completed cases.
    assert (row["problems_reported"], row["returns_for_rectification"]) == (0, 0)
    assert row["problems_closed_average_days"] is None  # nothing closed to time
    assert row["acceptance_opinions"] == {
        "satisfied": "100%", "basically_satisfied": "0%", "dissatisfied": "0%"
    }  # fmt: skip


def test_only_a_confirmed_completion_counts_with_its_accepted_round(rt, journey, people, clock):
    """Reported, returned for rectification, reported again and confirmed five days later: one
    completion, its days run to the confirmation, and only the accepted round's opinions count.
    A case whose completion is still being checked is under way; its open round is no verdict."""
    owner, clerk = people.owner.id, people.clerk.id
    case_id = journey.case_in("approved")
    services.upload_document(rt, owner, case_id, "installation_notice", pdf_bytes())
    journey.representatives_accept(case_id)
    services.fire(
        rt, owner, case_id, "start_construction",
        {**INSTALLER, "start_date": "2026-11-23", "planned_completion": "2027-01-10"},
    )  # fmt: skip
    clock.advance(days=40)  # 2027-01-02: completion reported, on time had it been accepted
    journey.step(case_id, "acceptance")
    tokens = journey.tokens(case_id)
    services.give_acceptance_opinion(rt, tokens["401"], "dissatisfied", "候梯厅地砖破损")
    [row] = record.installers(rt)
    assert (row["started"], row["completed"], row["average_days"]) == (1, 0, None)
    assert row["acceptance_opinions"] is None  # the round is still open
    services.fire(rt, clerk, case_id, "return_for_rectification", {"items": "候梯厅地砖修补"})
    [row] = record.installers(rt)
    assert (row["completed"], row["returns_for_rectification"]) == (0, 1)
    assert row["acceptance_opinions"] is None  # the returned round is no verdict

    clock.advance(days=10)  # 2027-01-12: reported again
    services.fire(rt, owner, case_id, "report_completion",
                  {**COMPLETION, "registration_number": "梯11鄂F00002(26)"})  # fmt: skip
    for room, token in tokens.items():
        services.give_acceptance_opinion(
            rt, token, "basically_satisfied" if room == "401" else "satisfied"
        )
    assert record.installers(rt)[0]["completed"] == 0  # not yet confirmed
    clock.advance(days=5)  # 2027-01-17: confirmed
    services.fire(rt, clerk, case_id, "confirm_completion")

    other = journey.case_in("acceptance")  # a second project, its completion being checked
    services.give_acceptance_opinion(rt, journey.tokens(other)["501"], "dissatisfied", "噪音大")
    [row] = record.installers(rt)
    assert (row["started"], row["completed"], row["on_time"]) == (2, 1, 0)
    # 2026-11-23 → 2027-01-17 is 55 days; planned 2027-01-10, so 7 days late.
    assert (row["average_days"], row["average_days_late"]) == ("55.0", "7.0")
    assert row["on_time_share"] == "0%"
    assert row["returns_for_rectification"] == 1
    # The accepted round of the one confirmed case: five 满意, one 基本满意 of six.
    assert row["acceptance_opinions"] == {
        "satisfied": "83%", "basically_satisfied": "17%", "dissatisfied": "0%"
    }  # fmt: skip


def test_sorting_puts_the_best_first_and_unknowns_last(rt, journey, clock):
    code = "91420683MA4F0A1B2Y"
    other = "91420600MA49TQ2P65"
    built(journey, clock, "2026-11-23", "2027-01-10", 40)
    built(journey, clock, "2027-01-02", "2027-01-05", 20, installer_name="乙电梯公司",
          installer_credit_code=other)  # fmt: skip
    assert [r["credit_code"] for r in record.installers(rt, "on_time")] == [code, other]
    assert [r["credit_code"] for r in record.installers(rt, "days")] == [other, code]


def test_a_barred_installer_cannot_be_named_at_start_construction(rt, journey, people, clock):
    code = INSTALLER["installer_credit_code"]
    services.bar_installer(
        rt, people.admin.id, code, "竣工验收居民不满意且拒不整改", "枣阳住建〔2026〕12号",
        "2027-06-30",
    )  # fmt: skip
    case_id = journey.case_in("approved")
    services.upload_document(rt, people.owner.id, case_id, "installation_notice", pdf_bytes())
    journey.representatives_accept(case_id)
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.owner.id, case_id, "start_construction", INSTALLER)
    [m] = err.value.messages
    assert m.code == "installer_barred" and "枣阳住建〔2026〕12号" in m.zh and "2027-06-30" in m.zh
    [row] = record.installers(rt)
    assert row["bar"]["document_number"] == "枣阳住建〔2026〕12号"

    services.lift_bar(rt, people.admin.id, code)
    services.fire(rt, people.owner.id, case_id, "start_construction", INSTALLER)
    assert record.installers(rt)[0]["bar"] is None
    with rt.db.session() as s:
        kinds = s.scalars(select(Event.kind).where(Event.case_id.is_(None))).all()
    assert "installer_barred" in kinds and "installer_bar_lifted" in kinds
    assert [b["in_force"] for b in record.bar_history(rt)] == [False]


def test_a_bar_ends_on_its_last_day(rt, journey, people, clock):
    code = INSTALLER["installer_credit_code"]
    services.bar_installer(rt, people.admin.id, code, "理由", "枣阳住建〔2026〕13号", "2026-11-30")
    assert record.installers(rt)[0]["bar"]["until"] == "2026-11-30"
    clock.advance(days=8)  # 2026-12-01
    assert record.installers(rt) == []


def test_only_the_admin_bars_and_every_input_is_checked(rt, people):
    with pytest.raises(Forbidden):
        services.bar_installer(rt, people.clerk.id, INSTALLER["installer_credit_code"], "r", "n",
                               "2027-01-01")  # fmt: skip
    with pytest.raises(InvalidInput) as err:
        services.bar_installer(rt, people.admin.id, INSTALLER["installer_credit_code"], "", "",
                               "2020-01-01")  # fmt: skip
    assert [m.code for m in err.value.messages] == ["reason", "document_number", "until"]
    with pytest.raises(InvalidInput):
        services.bar_installer(rt, people.admin.id, "91420683MA4F0A1B2X", "r", "n", "2027-01-01")
    with pytest.raises(NotFound):
        services.lift_bar(rt, people.admin.id, INSTALLER["installer_credit_code"])
