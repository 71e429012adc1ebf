"""Who is told what, when a case changes hands: the outbox rows written with the change."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from workflow import services
from workflow.data.models import OutboxMessage
from workflow.notify import outbox as notifications
from workflow.process.clocks import flag_due_cases

from ..conftest import immediate_jobs
from ..journey import ROSTER


def rows(rt, **where):
    with rt.db.session() as s:
        q = select(OutboxMessage).order_by(OutboxMessage.id)
        for k, v in where.items():
            q = q.where(getattr(OutboxMessage, k) == v)
        return list(s.scalars(q))


def test_each_household_gets_its_own_signing_link_when_consultation_starts(rt, journey):
    case_id = journey.case_in("consultation")
    links = rows(rt, kind="signing_link")
    assert sorted(m.phone for m in links) == sorted(h["phone"] for h in ROSTER)
    tokens = {
        x["phone"]: x["token"] for x in services.signing_links(rt, journey.p.owner.id, case_id)
    }
    for m in links:
        assert m.text.endswith(f"/sign/{tokens[m.phone]}")
        assert m.status == "pending"
        # Short, with the reference, and nobody's name in it.
        assert len(m.text) <= 120 and "2026" in m.text
        assert not any(h["owner_name"] in m.text for h in ROSTER)


def test_the_window_hears_of_a_submission_and_the_applicant_of_the_acceptance(rt, journey):
    case_id = journey.case_in("submitted")
    (window,) = rows(rt, desk="clerk", case_id=case_id)
    assert "待受理" in window.text and window.phone is None and window.status == "none"
    assert not rows(rt, user_id=journey.p.owner.id)  # the applicant moved it: no message

    services.fire(rt, journey.p.clerk.id, case_id, "accept")
    (told,) = rows(rt, user_id=journey.p.owner.id)
    assert "联合审查" in told.text and told.text.endswith("/track")
    assert told.phone == "13800000001" and told.status == "pending"
    assert [m.kind for m in rows(rt, desk="approver")] == ["accept"]


def test_inboxes_list_the_messages_of_each_reader(rt, journey):
    case_id = journey.case_in("review")
    p = journey.p
    (mine,) = notifications.inbox(rt, p.owner.id)
    assert "联合审查" in mine["text"] and mine["sms"] == "pending"
    assert notifications.inbox_count(rt, p.owner.id) == 1
    assert notifications.inbox_count(rt, p.clerk.id) == 1
    assert notifications.inbox_count(rt, p.housing.id) == 1
    assert notifications.inbox(rt, p.neighbour.id) == []
    assert notifications.inbox(rt, p.clerk.id)[0]["case_id"] == case_id


def test_a_reminder_before_consultation_closes_goes_once_to_those_who_have_not_voted(rt, journey):
    case_id = journey.case_in("consultation")
    links = services.signing_links(rt, journey.p.owner.id, case_id)
    first = links[0]
    services.sign(
        rt,
        first["token"],
        owner_name=first["owner_name"],
        phone_tail=first["phone"][-4:],
        choice="agree",
        signature=first["owner_name"],
    )
    assert notifications.remind_consultation(rt, case_id) == len(ROSTER) - 1
    assert notifications.remind_consultation(rt, case_id) == 0
    assert first["phone"] not in {m.phone for m in rows(rt, kind="reminder")}


def test_due_and_overdue_deadlines_reach_the_desks_once_a_day(rt, journey):
    journey.case_in("submitted")
    notifier = notifications.OutboxNotifier(rt)
    flags = flag_due_cases(rt, date(2026, 12, 31), notifier)
    assert flags and notifier.write() == 1
    again = notifications.OutboxNotifier(rt)
    flag_due_cases(rt, date(2026, 12, 31), again)
    assert again.write() == 0
    (m,) = rows(rt, kind="deadline")
    assert m.desk == "clerk" and "已逾期" in m.text


def test_delivery_after_commit_sends_each_message_once(rt, journey, tmp_path):
    sent = []

    class Recording:
        def describe(self):
            return "recording"

        def send(self, phone, text, *, key):
            sent.append((phone, key))

    rt.sms = Recording()
    immediate_jobs(rt, tmp_path)
    journey.case_in("consultation")
    assert len(sent) == len(ROSTER)
    ids = [m.id for m in rows(rt, kind="signing_link")]
    # Run again, as a lost-and-found sweep or a second worker would: nothing more is sent.
    assert not any(notifications.deliver_outbox(rt, i) for i in ids)
    assert notifications.deliver_due_messages(rt) == 0
    assert len(sent) == len(ROSTER)
    assert {m.status for m in rows(rt, kind="signing_link")} == {"sent"}


def test_the_daily_run_reminds_a_long_consultation_once(rt, journey, clock):
    journey.case_in("consultation")
    assert notifications.remind_consultations(rt) == 0  # just started
    clock.advance(days=11)
    assert notifications.remind_consultations(rt) == len(ROSTER)
    assert notifications.remind_consultations(rt) == 0
    assert all("尚未表决" in m.text for m in rows(rt, kind="reminder"))


@pytest.mark.postgres
def test_only_one_claim_wins_on_postgresql(pg_url, tmp_path, clock):
    from ..conftest import make_runtime
    from ..journey import Journey, make_people

    rt = make_runtime(pg_url, tmp_path, clock)
    sent = []

    class Recording:
        def describe(self):
            return "recording"

        def send(self, phone, text, *, key):
            sent.append(key)

    rt.sms = Recording()
    try:
        Journey(rt, make_people(rt)).case_in("consultation")
        ids = [m.id for m in rows(rt, kind="signing_link")]
        assert [notifications.deliver_outbox(rt, i) for i in ids] == [True] * len(ids)
        assert not any(notifications.deliver_outbox(rt, i) for i in ids)
        assert sorted(sent) == sorted(f"outbox-{i}" for i in ids)
    finally:
        rt.db.dispose()
