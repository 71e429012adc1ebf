"""The audit log: every transition and fact appends a chained event; tampering is found."""

from sqlalchemy import text

from workflow.data import audit
from workflow.data.models import Event


def test_every_step_of_the_journey_is_in_the_case_chain(rt, journey):
    case_id = journey.case_in("review")
    with rt.db.session() as s:
        kinds = [
            e.kind for e in s.query(Event).filter_by(chain=f"case:{case_id}").order_by(Event.seq)
        ]
    assert kinds[:4] == ["case_created", "costs_set", "management_unit_set", "start_consultation"]
    assert kinds.count("vote") == 6
    assert kinds[-4:] == ["finish_consultation", "upload", "submit", "accept"]


def test_transition_event_records_who_from_and_to(rt, journey, people):
    case_id = journey.case_in("review")
    with rt.db.session() as s:
        e = s.query(Event).filter_by(chain=f"case:{case_id}", kind="accept").one()
        assert (e.actor_id, e.actor_role, e.from_state, e.to_state) == (
            people.clerk.id,
            "clerk",
            "submitted",
            "review",
        )
        assert e.payload["letters"] == ["枣阳住建梯受〔2026〕1号"]


def test_intact_chain_verifies(rt, journey):
    journey.case_in("approved")
    with rt.db.session() as s:
        checked, broken = audit.verify(s)
    assert broken is None and checked > 20


def test_changed_payload_is_found(rt, journey):
    case_id = journey.case_in("review")
    with rt.db.transaction() as s:
        s.execute(text("UPDATE events SET payload = '{\"choice\": \"agree\", \"room\": \"101\", \"channel\": \"paper\"}' "
                       "WHERE chain = :c AND kind = 'vote' AND seq = (SELECT min(seq) FROM events WHERE chain = :c AND kind = 'vote')"),
                  {"c": f"case:{case_id}"})  # fmt: skip
    with rt.db.session() as s:
        _, broken = audit.verify(s)
    assert broken is not None and broken.chain == f"case:{case_id}" and "改动" in broken.reason


def test_deleted_event_breaks_the_link(rt, journey):
    case_id = journey.case_in("review")
    with rt.db.transaction() as s:
        s.execute(text("DELETE FROM events WHERE chain = :c AND seq = 3"), {"c": f"case:{case_id}"})
    with rt.db.session() as s:
        _, broken = audit.verify(s)
    assert broken.seq == 4
