"""`services.fire` against its floor: the bare UPDATE of the case and INSERT of its audit
event, in one transaction on the same database, interleaved case by case.

Both act on fresh cases waiting at the window (made in bulk for the run): `accept`, which sets
the review deadline, numbers and composes the acceptance notice and appends the audit event.
The actor is the clerk's account as a request has verified it (the pages and the API pass it).
The letter's PDF is made after commit (AFTER_COMMIT); it is measured with the letters, so the
hook is off while the transition is timed.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from sqlalchemy import event, insert, select, update

from .common import Row, ms


def run(rt, runs: int) -> list[Row]:
    from workflow.data.models import Case, Event, User
    from workflow.demo.bulk import generate
    from workflow.services import get_account, transitions

    fired = generate(rt, runs, seed=int(time.time()), end="submitted")
    bare = generate(rt, runs, seed=int(time.time()) + 1, end="submitted")
    with rt.db.session() as s:
        clerk = s.scalar(select(User.id).where(User.username == "clerk"))
    # As the pages and the API fire it: with the account the request has already verified.
    account = get_account(rt, clerk)
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    def floor(case_id: int) -> None:
        now = rt.clock()
        with rt.db.transaction() as s:
            s.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(
                    state="review",
                    version=Case.version + 1,
                    updated_at=now,
                    accepted_at=now,
                    review_due=now.date() + timedelta(days=14),
                    review_round=1,
                )
            )
            s.execute(
                insert(Event).values(
                    chain=f"case:{case_id}",
                    seq=10_000,
                    case_id=case_id,
                    actor_id=clerk,
                    actor_name="clerk",
                    actor_role="clerk",
                    at=now,
                    kind="accept",
                    from_state="submitted",
                    to_state="review",
                    payload={"letters": ["x"]},
                    prev_hash="0" * 64,
                    hash="1" * 64,
                )
            )

    hooks, transitions.AFTER_COMMIT[:] = list(transitions.AFTER_COMMIT), []
    fire_t, floor_t, per_fire = [], [], []
    try:
        for a, b in zip(fired, bare, strict=True):
            statements.clear()
            event.listen(rt.db.engine, "before_cursor_execute", count)
            start = time.perf_counter()
            transitions.fire(rt, account, a, "accept")
            fire_t.append(time.perf_counter() - start)
            event.remove(rt.db.engine, "before_cursor_execute", count)
            per_fire.append(len(statements))
            start = time.perf_counter()
            floor(b)
            floor_t.append(time.perf_counter() - start)
    finally:
        transitions.AFTER_COMMIT[:] = hooks
    # The first pair warms caches (settings, calendar table, statement cache).
    fire_t, floor_t = fire_t[1:], floor_t[1:]
    ratio = statistics.median(fire_t) / statistics.median(floor_t)
    best = min(fire_t) / min(floor_t)
    return [
        Row(
            "a transition (services.fire 'accept')",
            f"min {ms(min(fire_t))} / median {ms(statistics.median(fire_t))};"
            f" {statistics.median(per_fire):.0f} statements",
            "≤ 3× the floor",
            ratio <= 3,
            floor=f"UPDATE+INSERT min {ms(min(floor_t))} / median {ms(statistics.median(floor_t))}",
        ),
        Row(
            "  ratio fire / floor",
            f"median {ratio:.2f}×, min {best:.2f}× over {len(fire_t)} interleaved pairs",
            "≤ 3×",
            ratio <= 3,
        ),
    ]
