"""Two people firing at once: exactly one wins, the other gets a conflict; letters issued at
the same moment get different numbers. On SQLite and on PostgreSQL, with real threads."""

import threading

import pytest

from workflow import services
from workflow.data.models import Case, Letter
from workflow.errors import Conflict

from ..conftest import make_runtime
from ..journey import Clock, Journey, make_people


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def both(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url")
    rt = make_runtime(url, tmp_path, Clock())
    yield rt
    rt.db.dispose()


def race(n, fn):
    """Run fn(i) in n threads released at the same instant; collect results or errors."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the errors are what the test inspects
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_clerks_accepting_at_once_exactly_one_wins(both):
    people = make_people(both)
    clerk2 = services.create_user(
        both, None, username="clerk2", password="secret-pass-1", role="clerk"
    )
    case_id = Journey(both, people).case_in("submitted")
    clerks = [people.clerk.id, clerk2.id]
    results = race(2, lambda i: services.fire(both, clerks[i], case_id, "accept"))
    wins = [r for r in results if isinstance(r, services.Outcome)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    with both.db.session() as s:
        case = s.get(Case, case_id)
        assert case.state == "review"
        assert len(case.letters) == 1  # the loser issued no letter


def test_stale_writers_on_one_case_lose_with_a_conflict(both):
    """Both read version v, both send If-Match v: one commits, the other is refused."""
    people = make_people(both)
    journey = Journey(both, people)
    case_id = journey.case_in("review")
    journey.all_agree(case_id)  # a refusal needs every opinion
    with both.db.session() as s:
        v = s.get(Case, case_id).version
    results = race(
        2,
        lambda i: services.fire(
            both, people.housing.id if i == 0 else people.planning.id, case_id,
            "reject" if i == 0 else "return_for_correction",
            {"reasons": "理由"} if i == 0 else {"items": "补充材料"}, expected_version=v,
        ),
    )  # fmt: skip
    assert sum(isinstance(r, services.Outcome) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results


def test_letters_issued_at_the_same_moment_get_consecutive_numbers(both):
    people = make_people(both)
    journey = Journey(both, people)
    cases = [journey.case_in("submitted") for _ in range(4)]
    results = race(4, lambda i: services.fire(both, people.clerk.id, cases[i], "accept"))
    assert all(isinstance(r, services.Outcome) for r in results), results
    with both.db.session() as s:
        serials = sorted(x.serial for x in s.query(Letter).filter_by(kind="acceptance_notice"))
    assert serials == [1, 2, 3, 4]


def test_two_signatures_for_one_household_at_once_record_one_vote(both):
    people = make_people(both)
    case_id = Journey(both, people).case_in("consultation")
    link = services.signing_links(both, people.owner.id, case_id)[0]

    def sign(i):
        return services.sign(both, link["token"], owner_name=link["owner_name"],
                             phone_tail=link["phone"][-4:], choice=["agree", "object"][i],
                             signature=link["owner_name"])  # fmt: skip

    results = race(2, sign)
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
