"""A process killed after a transition committed and before its letter was rendered leaves a
numbered letter that renders on the next request or job — never a case without its letter, and
never a second number."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workflow import services
from workflow.data import audit
from workflow.data.models import Case, Letter
from workflow.data.runtime import china_now
from workflow.jobs import registry as jobs

from ..conftest import login, make_app
from ..journey import PASSWORD
from .test_jobs import CountingRenderer

ROOT = Path(__file__).resolve().parents[2]

# The child builds the app as a server would, takes a case to 待受理, and dies by SIGKILL at the
# first instant after the acceptance committed: where the render job would be handed over.
CHILD = """
import json, os, signal
import workflow.rules.passwords
workflow.rules.passwords.N = 2**8
from web import create_app
from workflow import services
from tests.journey import Journey, make_people
rt = create_app().extensions["jiati"]
people = make_people(rt)
case_id = Journey(rt, people).case_in("submitted")
print(json.dumps({"case": case_id, "clerk": people.clerk.username}), flush=True)
rt.jobs.schedule = lambda job, *ids: os.kill(os.getpid(), signal.SIGKILL)
services.fire(rt, people.clerk.id, case_id, "accept")
print("survived", flush=True)
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.mark.parametrize("recovery", ["next request", "next API request", "next job"])
def test_a_crash_after_commit_leaves_a_letter_that_renders_later(
    tmp_path, clock, database, recovery
):
    from web.schema import upgrade_database

    upgrade_database(database)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "ELEVATOR_INSTANCE_PATH": str(tmp_path / "instance"),
        "STORAGE_URL": f"file://{tmp_path / 'files'}",
        "FLASK_SECRET_KEY": "k" * 40,
        "FLASK_PUBLICITY_DAYS": "0",
        "FLASK_DEMO_SHORT_PUBLICITY": "true",
        "FLASK_RENDER_PDF": "false",
        "FLASK_LOG_JSON": "false",
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    assert "survived" not in child.stdout
    facts = json.loads(child.stdout.splitlines()[0])

    app = make_app(
        tmp_path, clock, DATABASE_URL=database, STORAGE_URL=f"file://{tmp_path / 'files'}"
    )
    rt = app.extensions["jiati"]
    rt.renderer = CountingRenderer(rt)
    clock.now = china_now()  # the child ran on the real clock
    with rt.db.session() as s:
        case = s.get(Case, facts["case"])
        (letter,) = s.query(Letter).filter_by(case_id=case.id).all()
        assert case.state == "review"  # the state and its letter committed together...
        assert letter.number == "枣阳住建梯受〔2026〕1号" and letter.sha256 is None  # ...unrendered
        assert audit.verify(s)[1] is None

    if recovery == "next request":
        client = app.test_client()
        login(client, facts["clerk"])
        r = client.get(f"/letters/{letter.id}.pdf")
        assert r.status_code == 200 and r.data.startswith(b"%PDF")
    elif recovery == "next API request":
        token = services.issue_token(rt, facts["clerk"], PASSWORD)[0]
        r = app.test_client().get(
            f"/api/v1/cases/{case.id}/letters/{letter.id}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200 and r.data.startswith(b"%PDF")
    else:
        assert jobs.render_missing_letters(rt) == 1

    with rt.db.session() as s:
        again = s.get(Letter, letter.id)
        assert again.sha256 and rt.store.matches(again.sha256)
        assert again.number == letter.number and s.query(Letter).count() == 1
    assert rt.renderer.calls == [letter.number]
    rt.db.dispose()


# The child lays out two "letters" on two render processes that each note their pid and wait.
POOL_CHILD = """
import os, sys, time
from web.pdf import batch
folder = sys.argv[1]
def slow(item):
    open(os.path.join(folder, str(os.getpid())), "w").close()
    time.sleep(120)
    return b""
batch._pool_map(slow, [1, 2], 2)
"""


def test_render_processes_end_with_the_job_worker_killed_under_them(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", POOL_CHILD, str(tmp_path)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        pids = [int(p.name) for p in tmp_path.iterdir()]
        assert len(pids) == 2, "the render processes never started"
    finally:
        child.kill()  # SIGKILL: the worker has no chance to shut its pool down
        child.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in pids), "render processes outlived their worker"


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for init to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
