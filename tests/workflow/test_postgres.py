"""The multi-process deployment: PostgreSQL migrated by Alembic runs the whole journey."""

import pytest

from workflow import services
from workflow.adapters.local import LocalFolderStore as FileStore
from workflow.data import audit
from workflow.data.db import Database
from workflow.data.models import Case, Letter
from workflow.data.runtime import Runtime

from ..journey import Clock, Journey, make_people

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_rt(pg_url, tmp_path):
    from dataclasses import replace

    from web.schema import upgrade_database
    from workflow.data.settings import Settings

    upgrade_database(pg_url)
    rt = Runtime(
        Database(pg_url),
        replace(Settings(), publicity_days=0, demo_short_publicity=True),
        FileStore(tmp_path),
        None,
        Clock(),
    )
    yield rt
    rt.db.dispose()


def test_the_whole_journey_on_postgresql(pg_rt):
    people = make_people(pg_rt)
    case_id = Journey(pg_rt, people).case_in("subsidy_approved")
    with pg_rt.db.session() as s:
        case = s.get(Case, case_id)
        assert case.state == "subsidy_approved" and case.subsidy_fen == 10_000_000
        assert [x.number for x in s.query(Letter).order_by(Letter.id)] == [
            "枣阳住建梯受〔2026〕1号", "枣阳住建梯准〔2026〕1号", "枣阳住建梯贴〔2026〕1号",
        ]  # fmt: skip
        checked, broken = audit.verify(s)
    assert broken is None and checked > 20


def test_guards_and_conflicts_behave_the_same_on_postgresql(pg_rt):
    from workflow.errors import Conflict, GuardsFailed

    people = make_people(pg_rt)
    case_id = Journey(pg_rt, people).case_in("review")
    with pytest.raises(GuardsFailed):
        services.fire(pg_rt, people.housing.id, case_id, "approve")
    with pytest.raises(Conflict):
        services.fire(pg_rt, people.clerk.id, case_id, "accept")
