"""Batch printing as a job: the clerk's request lands on the batch's own page, which shows the
progress and then the PDF; the job writes its progress as it goes, can be killed and run again
without making a second file or counting a letter twice, and says in Chinese why it failed."""

from __future__ import annotations

import pytest

from workflow import services
from workflow.data.models import BatchPrint, Letter, StoredFile
from workflow.errors import NotFound
from workflow.jobs import registry as jobs
from workflow.papers import batches

from ..conftest import immediate_jobs, login, make_app, make_runtime
from ..journey import Journey, make_people, pdf_bytes
from .test_issued_letters import pdf_text

# --------------------------------------------------------------- through the web, real PDFs


@pytest.fixture
def app(tmp_path, clock):
    app = make_app(tmp_path, clock, RENDER_PDF=True)
    yield app
    app.extensions["jiati"].db.dispose()


@pytest.fixture
def chosen(rt, people):
    """Three letters of two cases, in the order a clerk might pick them."""
    journey = Journey(rt, people)
    a, b = journey.case_in("approved"), journey.case_in("review")
    with rt.db.session() as s:
        by_case = {
            (x.case_id, x.kind): (x.id, x.number) for x in s.query(Letter).order_by(Letter.id)
        }
    return [
        by_case[(a, "approval_decision")],
        by_case[(b, "acceptance_notice")],
        by_case[(a, "acceptance_notice")],
    ]


def ask(client, letter_ids):
    return client.post("/letters/batch", data={"letter_ids": [str(i) for i in letter_ids]})


def test_a_small_batch_lands_on_its_done_page_and_holds_every_letter_in_order(
    client, people, chosen
):
    login(client, people.clerk.username)
    r = ask(client, [i for i, _ in chosen])
    assert r.status_code == 303
    page = client.get(r.headers["Location"])
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "合并完成：共 3 份文书" in body and 'value="3"' in body and "<progress" in body
    assert "打开 PDF 打印" in body
    assert 'http-equiv="refresh"' not in body  # finished: nothing to wait for
    pdf = client.get(r.headers["Location"] + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(pdf_text(pdf.data).split())
    positions = [text.find(number) for _, number in chosen]
    assert -1 not in positions and positions == sorted(positions)


def test_the_status_json_says_how_far_it_is_and_where_the_file_is(client, people, chosen):
    login(client, people.clerk.username)
    location = ask(client, [i for i, _ in chosen]).headers["Location"]
    status = client.get(location + ".json").get_json()
    assert status["state"] == "done" and status["finished"] is True
    assert (status["done"], status["total"], status["percent"]) == (3, 3, 100)
    assert status["download_url"] == location + ".pdf"
    assert status["count"] == "已完成 3 / 3 份" and status["error"] is None


def test_a_batch_is_seen_by_the_clerk_who_asked_and_no_one_else(app, client, rt, people, chosen):
    login(client, people.clerk.username)
    location = ask(client, [i for i, _ in chosen]).headers["Location"]
    other_clerk = services.create_user(
        rt, None, username="clerk2", password="secret-pass-1", role="clerk", name="周窗口"
    )
    for user in (other_clerk, people.housing, people.owner, people.admin):
        other = app.test_client()
        login(other, user.username)
        for suffix in ("", ".json", ".pdf"):
            assert other.get(location + suffix).status_code == 404, (user.username, suffix)
    anonymous = app.test_client().get(location + ".json")
    assert anonymous.status_code in (302, 401)


def test_only_staff_ask_for_a_batch(client, rt, people, chosen):
    login(client, people.owner.username)
    assert ask(client, [chosen[0][0]]).status_code == 403
    with rt.db.session() as s:
        assert s.query(BatchPrint).count() == 0


def test_a_letter_that_does_not_exist_is_not_found_and_nothing_is_recorded(
    client, rt, people, chosen
):
    login(client, people.clerk.username)
    assert ask(client, [chosen[0][0], 99999]).status_code == 404
    with rt.db.session() as s:
        assert s.query(BatchPrint).count() == 0


def test_nothing_chosen_goes_back_to_the_letters_with_a_message(client, people):
    login(client, people.clerk.username)
    r = client.post(
        "/letters/batch", data={}, headers={"Referer": "http://localhost/staff/letters"}
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/staff/letters")
    assert "请至少选择一份文书。" in client.get("/staff/letters").get_data(as_text=True)


def test_a_failed_job_shows_its_reason_in_chinese(client, rt, people, chosen, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the layout engine fell over")

    monkeypatch.setattr(batches, "_layout", broken)
    login(client, people.clerk.username)
    location = ask(client, [i for i, _ in chosen]).headers["Location"]
    body = client.get(location).get_data(as_text=True)
    assert "合并未能完成" in body and batches.FAILED in body
    assert "<progress" not in body and "重新选择文书" in body
    status = client.get(location + ".json").get_json()
    assert status["state"] == "failed" and status["error"] == batches.FAILED
    assert status["download_url"] is None
    assert client.get(location + ".pdf").status_code == 404


class Held:
    """A queue whose worker has not come round yet: jobs wait in a list."""

    def __init__(self):
        self.waiting = []

    def schedule(self, job, *ids):
        self.waiting.append((job, *ids))

    def check(self):
        return None

    def describe(self):
        return "held"


def test_while_the_job_waits_the_page_shows_a_bar_and_refreshes_without_javascript(
    client, rt, people, chosen
):
    rt.jobs = Held()
    login(client, people.clerk.username)
    location = ask(client, [i for i, _ in chosen]).headers["Location"]
    (job,) = rt.jobs.waiting
    assert job[0] == "print_batch"
    body = client.get(location).get_data(as_text=True)
    assert "已排队" in body and '<progress class="batch-bar" max="3" aria' in body  # no value
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in body
    assert f'data-poll="{location}.json"' in body and 'src="/static/batch.js"' in body
    assert "刷新查看进度" in body and "打开 PDF 打印" not in body
    assert client.get(location + ".pdf").status_code == 404
    # The worker comes round; the poll now sees it done.
    assert jobs.JOBS[job[0]](rt, *job[1:]) is True
    assert client.get(location + ".json").get_json()["state"] == "done"


def test_the_letters_page_posts_to_the_batch_in_the_same_tab(client, people, chosen):
    login(client, people.clerk.username)
    body = client.get("/staff/letters").get_data(as_text=True)
    assert '<form method="post" action="/letters/batch" class="letters-batch">' in body


# --------------------------------------------------------- the job itself, SQLite and PostgreSQL


class Renderer:
    """A stand-in for WeasyPrint that lays out one letter at a time, telling progress after each
    and asking `on_letter` (a test's hook) in between."""

    def __init__(self, rt):
        self.rt, self.batches, self.seen = rt, 0, []
        self.on_letter = None

    def letter(self, context):
        return pdf_bytes()

    def document(self, context):
        return pdf_bytes()

    def batch(self, contexts, progress=None):
        self.batches += 1
        for done, _context in enumerate(contexts, 1):
            if self.on_letter:
                self.on_letter(done)
            progress(done, len(contexts))
            self.seen.append(row(self.rt).done)  # as another connection reads it
        return pdf_bytes(len(contexts)) + str(self.batches).encode()


class Killed(BaseException):
    """A worker killed mid-job: nothing of ours catches it."""


def row(rt, batch_id=1) -> BatchPrint:
    with rt.db.session() as s:
        return s.get(BatchPrint, batch_id)


def files(rt) -> int:
    with rt.db.session() as s:
        return s.query(StoredFile).count()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def job_rt(request, tmp_path, clock):
    url = (
        f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    runtime = make_runtime(url, tmp_path, clock)
    runtime.renderer = Renderer(runtime)
    runtime.jobs = Held()  # each test runs the job by hand
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def five_letters(job_rt):
    people = make_people(job_rt)
    journey = Journey(job_rt, people)
    journey.case_in("approved")
    journey.case_in("approved")
    journey.case_in("review")
    with job_rt.db.session() as s:
        ids = [x.id for x in s.query(Letter).order_by(Letter.id)]
    assert len(ids) == 5
    return people, ids


def test_progress_is_written_as_the_job_goes(job_rt, five_letters):
    people, ids = five_letters
    batch_id = services.request_batch(job_rt, people.clerk.id, ids)
    assert row(job_rt, batch_id).state == "queued"
    assert jobs.print_batch(job_rt, batch_id) is True
    assert job_rt.renderer.seen == [1, 2, 3, 4, 5]
    done = row(job_rt, batch_id)
    assert (done.state, done.done, done.total, done.attempts) == ("done", 5, 5, 1)
    assert done.letter_ids == ids and done.requested_by_id == people.clerk.id


def test_running_a_finished_batch_again_makes_no_second_file(job_rt, five_letters):
    people, ids = five_letters
    batch_id = services.request_batch(job_rt, people.clerk.id, ids)
    jobs.print_batch(job_rt, batch_id)
    before, sha = files(job_rt), row(job_rt, batch_id).sha256
    assert jobs.print_batch(job_rt, batch_id) is False
    assert jobs.print_unfinished_batches(job_rt) == 0
    assert job_rt.renderer.batches == 1 and files(job_rt) == before
    assert row(job_rt, batch_id).sha256 == sha


def test_a_rerun_after_a_killed_worker_counts_each_letter_once_and_stores_one_file(
    job_rt, five_letters, clock
):
    people, ids = five_letters
    batch_id = services.request_batch(job_rt, people.clerk.id, ids)
    before = files(job_rt)

    def kill_at_the_third(done):
        if done == 3:
            raise Killed

    job_rt.renderer.on_letter = kill_at_the_third
    with pytest.raises(Killed):
        jobs.print_batch(job_rt, batch_id)
    cut = row(job_rt, batch_id)
    assert (cut.state, cut.done, cut.sha256) == ("running", 2, None)
    assert files(job_rt) == before

    # Its message died with the worker: the sweep finds the batch once nobody moved it.
    job_rt.renderer.on_letter, job_rt.renderer.seen = None, []
    assert jobs.print_unfinished_batches(job_rt) == 0
    clock.advance(minutes=3)
    assert jobs.print_unfinished_batches(job_rt) == 1
    (job,) = job_rt.jobs.waiting[-1:]
    assert job == ("print_batch", batch_id)
    assert jobs.print_batch(job_rt, batch_id) is True
    assert job_rt.renderer.seen == [1, 2, 3, 4, 5]  # from nought again, never past the total
    done = row(job_rt, batch_id)
    assert (done.state, done.done, done.attempts) == ("done", 5, 2)
    assert files(job_rt) == before + 1


def test_a_batch_that_keeps_killing_its_worker_is_given_up_with_a_reason(job_rt, five_letters):
    people, ids = five_letters
    batch_id = services.request_batch(job_rt, people.clerk.id, ids)

    def kill(done):
        raise Killed

    job_rt.renderer.on_letter = kill
    for _ in range(batches.MAX_ATTEMPTS):
        with pytest.raises(Killed):
            jobs.print_batch(job_rt, batch_id)
    assert jobs.print_batch(job_rt, batch_id) is False
    failed = row(job_rt, batch_id)
    assert (failed.state, failed.error) == ("failed", batches.GAVE_UP)
    status = services.batch_status(job_rt, people.clerk.id, batch_id)
    assert status.finished and status.error == batches.GAVE_UP


def test_two_runs_finishing_together_store_the_first_file_only(job_rt, five_letters):
    people, ids = five_letters
    batch_id = services.request_batch(job_rt, people.clerk.id, ids)

    def rival_overtakes(done):
        # While this run lays out its second letter, another worker runs the whole job.
        if done == 2 and job_rt.renderer.batches == 1:
            assert jobs.print_batch(job_rt, batch_id) is True

    job_rt.renderer.on_letter = rival_overtakes
    before = files(job_rt)
    assert jobs.print_batch(job_rt, batch_id) is False
    done = row(job_rt, batch_id)
    assert done.state == "done" and done.done == 5 and files(job_rt) == before + 1
    assert job_rt.store.read(done.sha256).endswith(b"2")  # the rival's bytes


def test_without_a_layout_engine_the_stored_letters_are_joined_one_by_one(job_rt, five_letters):
    people, ids = five_letters
    job_rt.renderer = type("LettersOnly", (), {"letter": lambda self, c: pdf_bytes()})()
    batch_id = services.request_batch(job_rt, people.clerk.id, ids)
    assert jobs.print_batch(job_rt, batch_id) is True
    data = services.batch_file(job_rt, people.clerk.id, batch_id)
    assert data.data.startswith(b"%PDF-") and data.filename.endswith("-5份.pdf")


def test_with_no_queue_at_all_the_batch_is_made_at_once(job_rt, five_letters):
    people, ids = five_letters
    job_rt.jobs = None
    batch_id = services.request_batch(job_rt, people.clerk.id, ids[:2])
    assert row(job_rt, batch_id).state == "done"


def test_in_immediate_mode_the_batch_is_made_when_the_request_returns(
    job_rt, five_letters, tmp_path
):
    people, ids = five_letters
    immediate_jobs(job_rt, tmp_path)
    batch_id = services.request_batch(job_rt, people.clerk.id, ids)
    assert services.batch_status(job_rt, people.clerk.id, batch_id).percent == 100


def test_others_are_told_the_batch_does_not_exist(job_rt, five_letters):
    people, ids = five_letters
    batch_id = services.request_batch(job_rt, people.clerk.id, ids)
    for who in (people.housing.id, people.owner.id):
        with pytest.raises(NotFound):
            services.batch_status(job_rt, who, batch_id)
    with pytest.raises(NotFound):  # not made yet
        services.batch_file(job_rt, people.clerk.id, batch_id)
