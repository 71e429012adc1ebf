"""The guide's texts and policies are kept in the database, on SQLite and PostgreSQL alike, and
changing them leaves the settings an admin saved untouched."""

from __future__ import annotations

import pytest

from workflow import services
from workflow.errors import Forbidden
from workflow.services import guide as guide_services

from ..conftest import make_runtime
from ..journey import make_people, pdf_bytes


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_rt(request, tmp_path, clock):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'guide.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url")
    rt = make_runtime(url, tmp_path, clock)
    yield rt
    rt.db.dispose()


def test_texts_and_policies_round_trip(store_rt):
    people = make_people(store_rt)
    services.change_settings(store_rt, people.admin.id, {"review_workdays": 12})
    guide_services.save_guide_texts(store_rt, people.admin.id, {"window_hours": "周一至周五"})
    guide_services.save_guide_texts(store_rt, people.admin.id, {"contacts": "0710-1234567"})
    first = guide_services.add_policy(
        store_rt, people.admin.id, title="甲", issuer="某机关", issued_on="2023-01-01",
        url="https://example.org/a",
    )  # fmt: skip
    guide_services.add_policy(
        store_rt, people.admin.id, title="乙", issuer="某机关", issued_on="2024-06-01",
        pdf=pdf_bytes(),
    )  # fmt: skip

    texts = guide_services.guide_texts(store_rt)
    assert texts["window_hours"] == "周一至周五" and texts["contacts"] == "0710-1234567"
    assert [p["title"] for p in guide_services.policies(store_rt)] == ["乙", "甲"]
    g = guide_services.public_guide(store_rt)
    assert any(s.time_limit == "12 个工作日" for s in g.steps)
    guide_services.remove_policy(store_rt, people.admin.id, first)
    assert [p["title"] for p in guide_services.policies(store_rt)] == ["乙"]
    assert services.effective_settings(store_rt).review_workdays == 12


def test_only_an_admin_changes_them(store_rt):
    people = make_people(store_rt)
    with pytest.raises(Forbidden):
        guide_services.save_guide_texts(store_rt, people.clerk.id, {"contacts": "x"})
