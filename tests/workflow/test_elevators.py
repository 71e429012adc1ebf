"""After the keys: the elevator register, its yearly inspections and the daily reminders."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from workflow import services
from workflow.data.models import Event, OutboxMessage
from workflow.errors import Forbidden, InvalidInput, NotFound
from workflow.jobs.registry import daily_check
from workflow.read import elevators as register

from ..journey import MANAGEMENT_UNIT, pdf_bytes
from ..notify.test_sms_gateway import gateway, sms_rt  # noqa: F401 - fixtures

REGISTERED = date(2026, 11, 23)  # the journey's clock: completion reported that day


def test_a_completed_case_is_an_elevator_due_for_inspection_a_year_after_registration(
    rt, journey, people
):
    case_id = journey.case_in("completed")
    [row] = register.elevators(rt, people.clerk.id)
    assert row["case_id"] == case_id and row["registration_number"] == "梯11鄂FA0042（26）"
    assert row["registered_on"] == REGISTERED.isoformat()
    assert row["next_inspection_due"] == "2027-11-23" and row["last_inspected_on"] is None
    assert row["management_unit"] == {
        "name": MANAGEMENT_UNIT["name"], "kind": "property", "kind_label": "物业服务企业",
        "phone": "139****0088",
    }  # fmt: skip
    assert row["maintenance_company"] == "襄阳安居电梯维保有限公司"
    assert row["contract_ends_on"] == "2027-11-30"


def test_a_case_not_yet_confirmed_is_not_on_the_register(rt, journey, people):
    journey.case_in("acceptance")
    assert register.elevators(rt, people.clerk.id) == []


def test_each_recorded_inspection_moves_the_next_one_a_year_on(rt, journey, people):
    case_id = journey.case_in("completed")
    services.record_inspection(rt, people.clerk.id, case_id, "2026-11-20", "合格", pdf_bytes())
    e = register.elevator(rt, people.clerk.id, case_id)
    assert (e["last_inspected_on"], e["next_inspection_due"]) == ("2026-11-20", "2027-11-20")
    # An older report recorded late does not move the date back.
    services.record_inspection(rt, people.clerk.id, case_id, "2026-01-05", "合格", pdf_bytes())
    e = register.elevator(rt, people.clerk.id, case_id)
    assert e["next_inspection_due"] == "2027-11-20"
    assert [i["inspected_on"] for i in e["inspections"]] == ["2026-11-20", "2026-01-05"]
    with rt.db.session() as s:
        kinds = s.scalars(select(Event.kind).where(Event.case_id == case_id)).all()
    assert kinds.count("inspection") == 2


def test_an_inspection_needs_a_date_a_result_and_its_report(rt, journey, people):
    case_id = journey.case_in("completed")
    with pytest.raises(InvalidInput) as err:
        services.record_inspection(rt, people.clerk.id, case_id, "明天", "良好", b"")
    assert [m.code for m in err.value.messages] == ["inspected_on", "result", "report"]
    with pytest.raises(Forbidden):
        services.record_inspection(rt, people.owner.id, case_id, "2026-11-20", "合格", pdf_bytes())
    with pytest.raises(NotFound):
        services.record_inspection(rt, people.clerk.id, 999, "2026-11-20", "合格", pdf_bytes())


def test_the_management_unit_records_an_inspection_through_its_link(rt, journey, people):
    case_id = journey.case_in("completed")
    token = services.inspection_link(rt, people.clerk.id, case_id)
    assert services.elevator_by_link(rt, token)["unit_name"] == MANAGEMENT_UNIT["name"]
    services.record_inspection_by_link(rt, token, "2026-11-22", "不合格", pdf_bytes())
    view = services.elevator_by_link(rt, token)
    assert view["inspections"] == [{"inspected_on": date(2026, 11, 22), "result": "不合格"}]
    with pytest.raises(NotFound):
        services.elevator_by_link(rt, "not-a-token")


def test_the_register_filters_due_overdue_and_contracts_ending(rt, journey, people, clock):
    journey.case_in("completed")
    due = register.elevators(rt, people.clerk.id, "due", today=date(2027, 10, 30))
    assert len(due) == 1
    assert register.elevators(rt, people.clerk.id, "overdue", today=date(2027, 10, 30)) == []
    assert len(register.elevators(rt, people.clerk.id, "overdue", today=date(2027, 11, 24))) == 1
    assert len(register.elevators(rt, people.clerk.id, "contract", today=date(2027, 11, 1))) == 1
    assert register.elevators(rt, people.clerk.id, "contract", today=date(2027, 10, 1)) == []
    with pytest.raises(Forbidden):
        register.elevators(rt, people.owner.id)


def _texts(gw, phone):
    return [t for p, t in gw.delivered if p == phone]


def test_the_daily_check_reminds_each_once_across_days(sms_rt, journey, people, gateway, clock):  # noqa: F811
    journey.case_in("completed")
    unit, applicant = MANAGEMENT_UNIT["phone"], people.owner.phone
    assert any("登记检验结果" in t for t in _texts(gateway, unit))  # the link, at registration
    gateway.delivered.clear()

    for day in (date(2027, 10, 24), date(2027, 10, 25), date(2027, 10, 25)):
        daily_check(sms_rt, day)
    for phone in (unit, applicant):
        texts = _texts(gateway, phone)
        assert len(texts) == 1 and "定期检验将于 2027-11-23 到期" in texts[0]

    for day in (date(2027, 11, 24), date(2027, 11, 25)):
        daily_check(sms_rt, day)
    for phone in (unit, applicant):
        texts = _texts(gateway, phone)
        assert sum("已逾期" in t for t in texts) == 1
        assert sum("维保合同将于 2027-11-30 到期" in t for t in texts) == 1
        assert len(texts) == 3
    with sms_rt.db.session() as s:
        inbox = s.scalars(
            select(OutboxMessage.text).where(
                OutboxMessage.user_id == people.owner.id, OutboxMessage.kind == "elevator"
            )
        ).all()
    assert len(inbox) == 3  # the applicant also reads them in the inbox


def test_the_register_page_shows_a_page_at_a_time_and_pages_through_every_elevator(rt, people):
    from workflow.demo.bulk import generate

    generate(rt, 120, seed=17)  # most have been completed: dozens of elevators
    everything = [r["case_id"] for r in register.elevators(rt, people.clerk.id)]
    assert len(everything) > 25
    seen, after = [], None
    while True:
        page = register.register_page(rt, people.clerk.id, after=after, per_page=10)
        assert len(page["rows"]) <= 10 and page["total"] == len(everything)
        seen += [r["case_id"] for r in page["rows"]]
        after = page["next"]
        if after is None:
            break
    assert seen == everything
    overdue = register.register_page(rt, people.clerk.id, "overdue", per_page=1000)
    assert (
        overdue["total"]
        == len(overdue["rows"])
        == len(register.elevators(rt, people.clerk.id, "overdue"))
    )
    with pytest.raises(InvalidInput):
        register.register_page(rt, people.clerk.id, after="yesterday~1")
