"""`flask --app web backup` and `restore`: a copy of every row and file that comes back on an
empty instance — SQLite or PostgreSQL — with its audit chain intact and its letters' bytes
matching their hashes."""

from __future__ import annotations

import hashlib

import pytest

from workflow.data.models import Case, Letter, StoredFile

from ..conftest import make_app
from ..journey import Journey, make_people
from .test_jobs import CountingRenderer


@pytest.fixture
def filled(tmp_path, clock):
    """An instance with a case taken to the end: letters rendered, files uploaded."""
    app = make_app(tmp_path / "a", clock)
    rt = app.extensions["jiati"]
    rt.renderer = CountingRenderer(rt)
    Journey(rt, make_people(rt)).case_in("subsidy_approved")
    yield app
    rt.db.dispose()


def snapshot(rt) -> dict:
    with rt.db.session() as s:
        letters = {x.number: x.sha256 for x in s.query(Letter)}
        files = {f.sha256: rt.store.read(f.sha256) for f in s.query(StoredFile)}
        cases = [(c.reference, c.state, c.version) for c in s.query(Case)]
    return {"letters": letters, "files": files, "cases": cases}


def restored_onto(tmp_path, clock, backup, **config):
    app = make_app(tmp_path, clock, **config)
    # An empty instance: `make_app` migrated the schema, no rows were added.
    result = app.test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    return app


@pytest.mark.parametrize("target", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_backup_restores_with_its_audit_chain_and_letter_hashes(
    filled, tmp_path, clock, target, request
):
    before = snapshot(filled.extensions["jiati"])
    assert len(before["letters"]) == 3 and all(before["letters"].values())
    backup = tmp_path / "jiati.tar.gz"
    result = filled.test_cli_runner().invoke(args=["backup", "-o", str(backup)])
    assert result.exit_code == 0, result.output
    assert "backup written" in result.output

    config = {"FILES_DIR": str(tmp_path / "b-files")}
    if target == "postgres":
        config["DATABASE_URL"] = request.getfixturevalue("pg_url")
    app = restored_onto(tmp_path / "b", clock, backup, **config)
    rt = app.extensions["jiati"]
    verified = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "audit chain intact" in verified.output
    after = snapshot(rt)
    assert after == before
    for sha, data in after["files"].items():
        assert hashlib.sha256(data).hexdigest() == sha
    # Work goes on after the restore: new rows take ids after the restored ones.
    people = make_people_again(rt)
    assert Journey(rt, people).case_in("submitted")
    rt.db.dispose()


def make_people_again(rt):
    from workflow import services

    from ..journey import PASSWORD, People

    def user(name, role, dept=None):
        return services.create_user(
            rt, None, username=name, password=PASSWORD, role=role, department=dept
        )

    return People(
        admin=user("admin2", "admin"),
        clerk=user("clerk2", "clerk"),
        housing=user("housing2", "approver", "housing"),
        planning=user("planning2", "approver", "planning"),
        market=user("market2", "approver", "market"),
        owner=user("13800009991", "homeowner"),
        neighbour=user("13800009992", "homeowner"),
    )


def test_restore_refuses_an_instance_that_has_data(filled, tmp_path):
    backup = tmp_path / "jiati.tar.gz"
    filled.test_cli_runner().invoke(args=["backup", "-o", str(backup)])
    result = filled.test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code == 1 and "not empty" in result.output


def test_a_backup_refuses_a_file_altered_on_disk(filled, tmp_path):
    rt = filled.extensions["jiati"]
    with rt.db.session() as s:
        sha = s.query(Letter).first().sha256
    rt.store.path(sha).write_bytes(b"%PDF-1.7 forged")
    result = filled.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "x.tar.gz")])
    assert result.exit_code == 1 and sha in result.output
    assert not (tmp_path / "x.tar.gz").exists()
