"""The installers' record, from recorded facts only, and the city's bar on new work."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workflow import services
from workflow.data.models import Event
from workflow.errors import Forbidden, GuardsFailed, InvalidInput, NotFound
from workflow.read import installers as record

from ..journey import INSTALLER, pdf_bytes


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
