"""Each household's bill, its 出资证明 and the subsidy paid (DESIGN §3.3a, §2 record_payment).

The journey's unit: 586,000.00 元 actual cost, 100,000.00 元 approved, weights 56 : 64 : 81 : 90
for 301–601 (floors 1 and 2 pay no share). Worked by hand:
shares 11,276,975.95 / 12,887,972.51 / 16,311,340.21 / 18,123,711.34 fen → the two fen left go
to 301 and 401: 11,276,976 / 12,887,973 / 16,311,340 / 18,123,711 (sum 58,600,000);
subsidy parts by those shares 1,924,398.63 / 2,199,312.80 / 2,783,505.12 / 3,092,783.45 → the
two fen left go to 401 and 301: 1,924,399 / 2,199,313 / 2,783,505 / 3,092,783 (sum 10,000,000).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.journey import MANAGEMENT_UNIT, PAYMENT
from workflow import services
from workflow.data.models import Case, Document, OutboxMessage
from workflow.errors import GuardsFailed
from workflow.papers.verify import verify
from workflow.process.context import Context
from workflow.process.effects import issue_funding_certificates
from workflow.read.money import household_money

SHARES = {"101": 0, "201": 0, "301": 11_276_976, "401": 12_887_973, "501": 16_311_340,
          "601": 18_123_711}  # fmt: skip
SUBSIDY = {"101": 0, "201": 0, "301": 1_924_399, "401": 2_199_313, "501": 2_783_505,
           "601": 3_092_783}  # fmt: skip
# The journey's running cost, 12,000.00 元 a year, by the same weights (291): 230,927.84 /
# 263,917.53 / 334,020.62 / 371,134.02 fen; the two fen left go to 301 (.84) and 501 (.62).
RUNNING = {"101": 0, "201": 0, "301": 230_928, "401": 263_917, "501": 334_021, "601": 371_134}


def _tokens(rt, people, case_id):
    return {x["room"]: x["token"] for x in services.signing_links(rt, people.owner.id, case_id)}


def _money(rt, people, case_id):
    return {room: household_money(rt, t) for room, t in _tokens(rt, people, case_id).items()}


def test_before_approval_the_bill_shows_the_expected_subsidy(rt, people, journey):
    money = _money(rt, people, journey.case_in("consultation"))
    assert not money["601"]["final"]
    # 600,000.00 元 estimated, 100,000.00 元 expected: shares sum to the estimate.
    assert sum(m["share_fen"] for m in money.values()) == 60_000_000
    assert sum(m["subsidy_fen"] for m in money.values()) == 10_000_000
    assert money["601"]["certificate"] is None


def test_each_bill_carries_its_yearly_running_cost_part_once_the_cost_is_entered(
    rt, people, journey
):
    case_id = journey.case_in("subsidy_approved")
    money = _money(rt, people, case_id)
    assert {r: m["running_share_fen"] for r, m in money.items()} == RUNNING
    assert money["601"]["running_parts"] is None  # the same ratios as the building cost
    other = journey.case_in("consultation")
    services.set_management_unit(rt, people.owner.id, other, MANAGEMENT_UNIT, None)
    assert {m["running_share_fen"] for m in _money(rt, people, other).values()} == {None}


def test_after_approval_each_household_sees_its_final_bill_and_certificate(rt, people, journey):
    case_id = journey.case_in("subsidy_approved")
    money = _money(rt, people, case_id)
    assert {r: m["share_fen"] for r, m in money.items()} == SHARES
    assert {r: m["subsidy_fen"] for r, m in money.items()} == SUBSIDY
    top = money["601"]
    assert top["final"] and top["net_fen"] == 15_030_928
    assert top["provident_fund_max_fen"] == 15_030_928
    # Registered on the journey's day, 2026-11-23: twelve months to apply.
    assert top["provident_fund_deadline"] == "2027-11-23"
    assert top["certificate"]["number"].startswith("枣阳住建梯资〔2026〕")
    assert money["101"]["certificate"] is None  # a household without a share gets none
    with rt.db.session() as s:
        certs = s.scalars(select(Document).where(Document.kind == "funding_certificate")).all()
        assert sorted(d.data["households"][0]["room"] for d in certs) == ["301", "401", "501",
                                                                          "601"]  # fmt: skip
        assert {d.data["own_part_fen"] for d in certs if d.household_id} >= {15_030_928}


def test_a_changed_figure_issues_a_new_certificate_and_the_old_verifies_as_replaced(
    rt, people, journey
):
    case_id = journey.case_in("subsidy_approved")
    old = _money(rt, people, case_id)["601"]["certificate"]
    with rt.db.transaction() as s:  # a corrected subsidy: 90,000.00 元
        case = s.get(Case, case_id)
        case.subsidy_fen = 9_000_000
        ctx = Context(session=s, case=case, actor=None, roles=frozenset(),
                      settings=rt.settings, calendar=None, now=rt.clock(), store=rt.store,
                      renderer=None, params={})  # fmt: skip
        issue_funding_certificates(ctx)
    new = _money(rt, people, case_id)["601"]["certificate"]
    assert new["number"] != old["number"]
    found = verify(rt, old["verify_url"].rsplit("/", 1)[1])
    assert found.replaced_by == new["number"]
    assert verify(rt, new["verify_url"].rsplit("/", 1)[1]).replaced_by == ""


def test_the_payment_must_equal_the_approved_amount(rt, people, journey):
    case_id = journey.case_in("subsidy_approved")
    with pytest.raises(GuardsFailed, match="少 0.01 元"):
        services.fire(rt, people.clerk.id, case_id, "record_payment",
                      {**PAYMENT, "amount": "99999.99"})  # fmt: skip


def test_the_payment_is_told_to_the_applicant_and_every_paying_household(rt, people, journey):
    case_id = journey.case_in("subsidy_paid")
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        assert case.state == "subsidy_paid" and case.payment_voucher == PAYMENT["voucher"]
        told = s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.case_id == case_id, OutboxMessage.kind == "record_payment"
            )
        ).all()
        rooms = {h.id: h.room for h in case.households}
    assert sorted(rooms[m.household_id] for m in told if m.household_id) == [
        "301", "401", "501", "601",
    ]  # fmt: skip
    assert any(m.user_id == case.applicant_id and "补贴已拨付" in m.text for m in told)


# — a corrected subsidy (correct_subsidy) ————————————————————————————————————————————

CORRECTION = {"amount": "90000.00", "reason": "复核发现部分工程量重复计价，相应费用不予补贴"}


def test_a_corrected_subsidy_goes_out_in_writing_and_renews_each_certificate(rt, people, journey):
    case_id = journey.case_in("subsidy_approved")
    before = _money(rt, people, case_id)
    services.fire(rt, people.housing.id, case_id, "correct_subsidy", CORRECTION)
    after = _money(rt, people, case_id)
    # 90,000.00 元 by the same shares: 1,731,958.77 / 1,979,381.52 / 2,505,154.61 /
    # 2,783,505.10 → the two fen left go to 301 and 501: 1,731,959 / 1,979,381 / 2,505,155 /
    # 2,783,505 (sum 9,000,000).
    assert {r: m["subsidy_fen"] for r, m in after.items() if m["share_fen"]} == {
        "301": 1_731_959, "401": 1_979_381, "501": 2_505_155, "601": 2_783_505,
    }  # fmt: skip
    for room in ("301", "401", "501", "601"):
        old, new = before[room]["certificate"], after[room]["certificate"]
        assert new["number"] != old["number"]
        assert verify(rt, old["verify_url"].rsplit("/", 1)[1]).replaced_by == new["number"]
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        assert case.state == "subsidy_approved" and case.subsidy_fen == 9_000_000
        notices = [x for x in case.letters if x.kind == "subsidy_notice"]
        assert len(notices) == 2
        assert notices[1].data["amount_fen"] == 9_000_000
        assert notices[1].data["corrects"] == {
            "number": notices[0].number, "issued_on": "2026-11-23",
            "amount_fen": 10_000_000, "reason": CORRECTION["reason"],
        }  # fmt: skip
        told = s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.case_id == case_id, OutboxMessage.kind == "correct_subsidy"
            )
        ).all()
        rooms = {h.id: h.room for h in case.households}
    assert sorted(rooms[m.household_id] for m in told if m.household_id) == [
        "301", "401", "501", "601",
    ]  # fmt: skip
    to_applicant = [m for m in told if m.user_id == case.applicant_id]
    assert "90,000.00 元（原 100,000.00 元）" in to_applicant[0].text


def test_a_correction_without_a_change_or_a_reason_is_refused(rt, people, journey):
    case_id = journey.case_in("subsidy_approved")
    with pytest.raises(GuardsFailed) as refused:
        services.fire(rt, people.housing.id, case_id, "correct_subsidy", {"amount": "100000"})
    text = " ".join(m.zh for m in refused.value.messages)
    assert "与现核准金额 100,000.00 元相同" in text and "请填写更正理由" in text


def test_a_correction_above_the_rule_is_refused(rt, people, journey):
    case_id = journey.case_in("subsidy_approved")
    with pytest.raises(GuardsFailed, match="超过上限 100,000.00 元"):
        services.fire(rt, people.housing.id, case_id, "correct_subsidy",
                      {**CORRECTION, "amount": "100000.01"})  # fmt: skip


def test_the_payment_is_checked_against_the_corrected_amount(rt, people, journey):
    case_id = journey.case_in("subsidy_approved")
    services.fire(rt, people.housing.id, case_id, "correct_subsidy", CORRECTION)
    with pytest.raises(GuardsFailed, match="多 10,000.00 元"):
        services.fire(rt, people.clerk.id, case_id, "record_payment", PAYMENT)
    services.fire(rt, people.clerk.id, case_id, "record_payment",
                  {**PAYMENT, "amount": "90000.00"})  # fmt: skip


def test_a_correction_does_not_restart_the_wait_for_payment_in_the_statistics(
    rt, people, journey, clock
):
    from workflow.read import statistics

    case_id = journey.case_in("subsidy_approved")  # Monday 2026-11-23
    clock.advance(days=2)
    services.fire(rt, people.housing.id, case_id, "correct_subsidy", CORRECTION)
    clock.advance(days=2)  # Friday 2026-11-27: four working days after the approval
    services.fire(rt, people.clerk.id, case_id, "record_payment",
                  {**PAYMENT, "paid_on": "2026-11-27", "amount": "90000.00"})  # fmt: skip
    figures = statistics.refresh_statistics(rt)
    assert figures.payment_workdays == 4.0
    waited = next(p for p in figures.phase_workdays if p["state"] == "subsidy_approved")
    assert waited["count"] == 1
