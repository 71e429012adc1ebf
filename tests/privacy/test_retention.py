"""Keeping only what is needed (个人信息保护法第十九条): on a clock moved past RETENTION_DAYS
after a case closes, the daily job masks or removes what is due and records counts, not data;
letters and documents stay."""

from __future__ import annotations

from sqlalchemy import select

from workflow import services
from workflow.data.integrity import file_problems
from workflow.data.models import Case, Event, Household, Letter, OutboxMessage, StoredFile, Vote
from workflow.jobs.registry import PERIODIC, daily_check
from workflow.process.retention import REMOVED_TEXT, apply_retention

from ..journey import ROSTER, application, pdf_bytes


def withdrawn_case(journey, **over):
    rt, p = journey.rt, journey.p
    roster = [dict(h) for h in ROSTER]
    roster[2].update(phone="13800000001", id_number="420683198001011234")  # the applicant's flat
    roster[4]["id_number"] = "420683195505052345"
    case_id = services.create_case(rt, p.owner.id, application(households=roster))
    services.set_costs(rt, p.owner.id, case_id, "600000")
    journey.step(case_id, "consultation")
    links = services.signing_links(rt, p.owner.id, case_id)
    services.fire(rt, p.owner.id, case_id, "withdraw")
    return case_id, links


def households(rt, case_id):
    with rt.db.session() as s:
        return {
            h.room: (h.phone, h.id_number, h.signing_token)
            for h in s.scalars(select(Household).where(Household.case_id == case_id))
        }


def messages(rt, case_id):
    with rt.db.session() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id))
        return [(m.text, m.phone) for m in rows]


def retention_events(rt):
    with rt.db.session() as s:
        return [
            e.payload for e in s.scalars(select(Event).where(Event.kind == "retention_applied"))
        ]


def test_signing_links_of_a_closed_case_end_at_once(journey):
    case_id, links = withdrawn_case(journey)
    try:
        services.signing_view(journey.rt, links[0]["token"])
        raise AssertionError("the link still works")
    except services.consent.NotFound:
        pass
    apply_retention(journey.rt)
    assert {t for _, _, t in households(journey.rt, case_id).values()} == {None}


def test_phones_and_id_numbers_stay_until_the_period_is_over(journey, clock):
    case_id, _ = withdrawn_case(journey)
    clock.advance(days=179)
    apply_retention(journey.rt)
    assert households(journey.rt, case_id)["501"][:2] == ("13900000501", "420683195505052345")
    assert all(text != REMOVED_TEXT for text, _ in messages(journey.rt, case_id))


def test_past_the_period_neighbours_phones_ids_and_sms_texts_are_masked(journey, clock):
    rt = journey.rt
    case_id, _ = withdrawn_case(journey)
    sent = messages(rt, case_id)
    assert sent and any(phone for _, phone in sent)
    clock.advance(days=181)
    counts = apply_retention(rt)
    rows = households(rt, case_id)
    assert rows["501"][:2] == ("139****0501", "420***********2345")
    assert rows["101"][0] == "139****0101"
    assert rows["301"][0] == "13800000001"  # the applicant's own number is the case's contact
    assert rows["301"][1] == "420***********1234"
    assert messages(rt, case_id) == [(REMOVED_TEXT, None)] * len(sent)
    assert counts["phones"] == 5 and counts["id_numbers"] == 2
    assert counts["sms_texts"] == len(sent)
    # The audit log holds counts, never the data removed.
    (payload,) = [p for p in retention_events(rt) if p.get("phones")]
    assert payload["phones"] == 5 and "13900000501" not in str(payload)


def test_running_twice_removes_nothing_twice(journey, clock):
    case_id, _ = withdrawn_case(journey)
    clock.advance(days=200)
    apply_retention(journey.rt)
    events = len(retention_events(journey.rt))
    assert apply_retention(journey.rt) == dict.fromkeys(
        ("signing_links", "phones", "id_numbers", "sms_texts", "identity_papers"), 0
    )
    assert len(retention_events(journey.rt)) == events


def test_open_cases_are_untouched_and_letters_of_closed_ones_kept(journey, clock):
    rt = journey.rt
    open_id = journey.case_in("review")
    closed_id, _ = withdrawn_case(journey)
    clock.advance(days=400)
    daily_check(rt)  # the daily job runs it
    assert households(rt, open_id)["501"][0] == "13900000501"
    assert households(rt, closed_id)["501"][0] == "139****0501"
    with rt.db.session() as s:
        assert s.scalar(select(Letter).where(Letter.case_id == open_id)) is not None
        assert s.get(Case, closed_id).state == "withdrawn"


def test_the_retention_job_is_on_the_schedule():
    assert "retention" in {p.name for p in PERIODIC}


def test_the_period_is_a_setting(journey, clock):
    from dataclasses import replace

    journey.rt.settings = replace(journey.rt.settings, retention_days=30)
    case_id, _ = withdrawn_case(journey)
    clock.advance(days=31)
    apply_retention(journey.rt)
    assert households(journey.rt, case_id)["501"][0] == "139****0501"


POWER_OF_ATTORNEY = pdf_bytes(pages=2)  # bytes of their own: the store keeps one copy of each
AGENT_AUTHORISATION = pdf_bytes(pages=3)


def case_with_identity_papers(journey):
    """Withdrawn in consultation: filed through an agent, and 101 signed by the owner's
    daughter with a power of attorney."""
    rt, p = journey.rt, journey.p
    case_id = journey.new_case()
    services.record_agent(
        rt, p.owner.id, case_id, kind="community", name="翠湖社区居委会",
        document=AGENT_AUTHORISATION,
    )  # fmt: skip
    journey.step(case_id, "consultation")
    link = next(x for x in services.signing_links(rt, p.owner.id, case_id) if x["room"] == "101")
    services.sign(
        rt, link["token"], owner_name=link["owner_name"], phone_tail=link["phone"][-4:],
        choice="agree", signature="陈小红",
        proxy=services.Proxy("陈小红", "child", POWER_OF_ATTORNEY),
    )  # fmt: skip
    services.fire(rt, p.owner.id, case_id, "withdraw")
    with rt.db.session() as s:
        vote = s.scalars(select(Vote).where(Vote.case_id == case_id)).one()
        return case_id, [vote.proxy_document, s.get(Case, case_id).agent_document]


def papers_of(rt, case_id):
    with rt.db.session() as s:
        vote = s.scalars(select(Vote).where(Vote.case_id == case_id)).one()
        return vote.proxy_document, s.get(Case, case_id).agent_document


def test_identity_papers_stay_until_the_period_is_over(journey, clock):
    case_id, shas = case_with_identity_papers(journey)
    clock.advance(days=179)
    apply_retention(journey.rt)
    assert papers_of(journey.rt, case_id) == tuple(shas)
    assert all(journey.rt.store.exists(sha) for sha in shas)


def test_past_the_period_identity_papers_leave_the_file_store(journey, clock):
    rt = journey.rt
    case_id, shas = case_with_identity_papers(journey)
    clock.advance(days=181)
    counts = apply_retention(rt)
    assert counts["identity_papers"] == 2
    assert papers_of(rt, case_id) == (None, None)
    assert not any(rt.store.exists(sha) for sha in shas)
    with rt.db.session() as s:
        assert all(s.get(StoredFile, sha) is None for sha in shas)
        # Nothing now looks for the removed files, and the rest of the store is whole.
        assert file_problems(s, rt.store)[1] == []
        vote = s.scalars(select(Vote).where(Vote.case_id == case_id)).one()
        assert vote.signed_as.startswith("陈小红（代陈桂兰签署")  # the record of who signed stays
    (payload,) = [p for p in retention_events(rt) if p.get("identity_papers")]
    assert payload["identity_papers"] == 2 and not any(sha in str(payload) for sha in shas)


def test_a_file_that_is_also_another_cases_document_stays_in_the_store(journey, clock):
    rt = journey.rt
    case_id, (proxy, agent) = case_with_identity_papers(journey)
    other = journey.case_in("consultation")
    services.upload_document(rt, journey.p.owner.id, other, "design_plan", AGENT_AUTHORISATION)
    clock.advance(days=181)
    apply_retention(rt)
    assert papers_of(rt, case_id) == (None, None)  # the closed case no longer holds it
    assert rt.store.exists(agent) and not rt.store.exists(proxy)


def test_the_archive_package_of_a_case_past_the_period_still_verifies(journey, clock, tmp_path):
    from workflow.papers import archive as archive_format
    from workflow.services import archive

    rt = journey.rt
    case_id, _ = case_with_identity_papers(journey)
    clock.advance(days=181)
    apply_retention(rt)
    with rt.db.session() as s:
        reference = s.get(Case, case_id).reference
    package = tmp_path / "case.zip"
    with open(package, "wb") as out:
        manifest = archive.write_package(rt, reference, out)
    assert not [f for f in manifest["files"] if "power_of_attorney" in f["name"]]
    assert not [f for f in manifest["files"] if "agent_authorisation" in f["name"]]
    assert archive_format.verify(str(package)) == []
