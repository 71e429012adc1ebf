"""While the database cannot be reached (restarting, failed over, a connection cut), nothing
answers 500: pages say in Chinese to come back shortly, the API answers its JSON error, both 503
with `Retry-After`, `/readyz` fails; and the first request after the database is back works,
with nothing restarted."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest

from workflow import services
from workflow.data.db import Database

from ..conftest import login, make_app
from ..journey import PASSWORD, make_people


class Cuttable:
    """A TCP forwarder to the database that can be cut: every open connection closed at once and
    new ones refused, until it is opened again (a restart, or a network fault, seen from the
    application's side)."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            server = socket.create_connection(self.target)
            with self.lock:
                self.pairs.append((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.open = False
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for s in pair:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def unreachable(app) -> None:
    """Point the running app at a port where no database listens."""
    app.extensions["jiati"].db = Database("postgresql+psycopg://postgres@127.0.0.1:1/gone")


def assert_chinese_503(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert '<html lang="zh-CN">' in page and "暂时无法办理" in page and "5 秒后" in page


def test_pages_say_in_chinese_to_come_back_while_the_database_is_unreachable(tmp_path, clock):
    app = make_app(tmp_path, clock)
    people = make_people(app.extensions["jiati"])
    client = app.test_client()
    login(client, people.clerk.username)
    unreachable(app)
    for path in ("/track", "/projects", "/staff/"):  # public, and behind a login
        assert_chinese_503(client.get(path))
    assert_chinese_503(client.post("/auth/login", data={"username": "clerk", "password": "x"}))
    # The load balancer's probes (no session): the process lives, it is not ready.
    probe = app.test_client()
    assert probe.get("/healthz").status_code == 200
    ready = probe.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["database"]["ok"] is False


def test_the_api_answers_its_json_error_with_retry_after(tmp_path, clock):
    app = make_app(tmp_path, clock)
    rt = app.extensions["jiati"]
    people = make_people(rt)
    token = services.issue_token(rt, people.clerk.username, PASSWORD)[0]
    client = app.test_client()
    unreachable(app)
    for r in (
        client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}),
        client.post(
            "/api/v1/cases/1/transitions/accept", headers={"Authorization": f"Bearer {token}"}
        ),
        client.post("/api/v1/token", json={"username": "clerk", "password": PASSWORD}),
    ):
        assert r.status_code == 503 and r.headers["Retry-After"] == "5"
        assert r.get_json()["error"] == "unavailable"
        assert r.get_json()["details"][0]["code"] == "database_unavailable"


@pytest.mark.postgres
def test_a_dropped_connection_is_a_503_and_the_next_request_after_it_works(tmp_path, clock, pg_url):
    where = urlparse(pg_url)
    proxy = Cuttable(where.hostname, where.port or 5432)
    try:
        url = pg_url.replace(f"@{where.netloc.split('@')[1]}", f"@127.0.0.1:{proxy.port}", 1)
        app = make_app(tmp_path, clock, DATABASE_URL=url)
        rt = app.extensions["jiati"]
        people = make_people(rt)
        token = services.issue_token(rt, people.clerk.username, PASSWORD)[0]
        api = {"Authorization": f"Bearer {token}"}
        client = app.test_client()
        login(client, people.clerk.username)
        assert client.get("/staff/").status_code == 200  # the pool now holds live connections

        proxy.cut()  # the pooled connections die and no new one can be made
        assert_chinese_503(client.get("/staff/"))
        dropped = client.get("/api/v1/cases", headers=api)
        assert dropped.status_code == 503 and dropped.headers["Retry-After"] == "5"
        probe = app.test_client()
        assert probe.get("/readyz").status_code == 503

        proxy.restore()  # the database is back: nobody restarts the application
        assert probe.get("/readyz").status_code == 200
        assert client.get("/staff/").status_code == 200
        assert client.get("/api/v1/cases", headers=api).status_code == 200
        rt.db.dispose()
    finally:
        proxy.close()


def test_a_redis_that_is_down_costs_signing_and_logging_in_nothing_and_guesses_still_count(
    tmp_path, clock
):
    from ..journey import Journey

    # Redis holds the per-address limits and the failed guesses of every host; here it is gone.
    app = make_app(tmp_path, clock, REDIS_URL="redis://127.0.0.1:1/0", RATELIMIT_ENABLED=True)
    rt = app.extensions["jiati"]
    people = make_people(rt)
    case_id = Journey(rt, people).case_in("consultation")
    link = services.signing_links(rt, people.owner.id, case_id)[0]
    client = app.test_client()

    # Wrong passwords are still counted, in this process's memory, until the 429.
    statuses = [
        client.post(
            "/auth/login", data={"username": "housing", "password": "wrong-pass-1"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    assert login(client, people.market.username).status_code == 302

    assert client.get(f"/sign/{link['token']}").status_code == 200
    signed = client.post(
        f"/api/v1/sign/{link['token']}",
        json={"owner_name": link["owner_name"], "phone_tail": link["phone"][-4:],
              "choice": "agree", "signature": link["owner_name"]},
    )  # fmt: skip
    assert signed.status_code == 200 and signed.get_json()["voted"]
    token = client.post("/api/v1/token", json={"username": "clerk", "password": PASSWORD})
    assert token.status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize("cut", ["after the commit", "during the read-back"])
def test_an_act_done_just_before_the_database_went_away_is_answered_as_done(
    tmp_path, clock, pg_url, cut
):
    from sqlalchemy import event

    from workflow.data.models import Vote

    from ..journey import Journey

    where = urlparse(pg_url)
    proxy = Cuttable(where.hostname, where.port or 5432)
    try:
        url = pg_url.replace(f"@{where.netloc.split('@')[1]}", f"@127.0.0.1:{proxy.port}", 1)
        app = make_app(tmp_path, clock, DATABASE_URL=url)
        rt = app.extensions["jiati"]
        people = make_people(rt)
        case_id = Journey(rt, people).case_in("consultation")
        link = services.signing_links(rt, people.owner.id, case_id)[0]
        committing, armed, restarts = rt.db.transaction, [], []

        def restart() -> None:  # the database goes away, and is back two seconds later
            restarts.append(cut)
            proxy.cut()
            threading.Timer(2.0, proxy.restore).start()

        @contextmanager
        def then_the_database_restarts():
            with committing() as s:
                yield s
                voting = any(isinstance(o, Vote) for o in s)
            if not voting:
                return
            if cut == "after the commit":
                restart()
            else:
                armed.append(True)  # as the next statement (the read-back) goes out

        @event.listens_for(rt.db.engine, "before_cursor_execute")
        def going_out(*args):
            if armed:
                armed.clear()
                restart()

        rt.db.transaction = then_the_database_restarts
        r = app.test_client().post(
            f"/api/v1/sign/{link['token']}",
            json={"owner_name": link["owner_name"], "phone_tail": link["phone"][-4:],
                  "choice": "agree", "signature": link["owner_name"]},
        )  # fmt: skip
        # Not a 503 saying "try again" (the retry would be refused: already voted), but the
        # answer of the act that was done.
        assert r.status_code == 200 and r.get_json()["voted"]
        assert restarts == [cut]  # the database did go away, once, where the test says
        rt.db.transaction = committing
        rt.db.dispose()
    finally:
        proxy.close()


def test_a_message_sent_as_the_database_went_away_is_recorded_sent_when_it_is_back(
    rt, journey, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from workflow.data.models import OutboxMessage
    from workflow.notify import outbox

    sent = []

    class Gateway:
        def send(self, phone, text, *, key):
            sent.append(key)

    rt.sms = Gateway()
    journey.case_in("consultation")  # each household's signing link waits to be sent
    with rt.db.session() as s:
        message = s.query(OutboxMessage).filter_by(status="pending").first().id
    committing, transactions = rt.db.transaction, []

    @contextmanager
    def restarting():
        transactions.append(1)
        if len(transactions) in (2, 3):  # after the claim and the send: the database is away
            raise OperationalError("UPDATE outbox_messages", {}, Exception("server closed"))
        with committing() as s:
            yield s

    rt.db.transaction = restarting
    monkeypatch.setattr(outbox.time, "sleep", lambda seconds: None)
    assert outbox.deliver_outbox(rt, message) is True
    rt.db.transaction = committing
    with rt.db.session() as s:
        assert s.get(OutboxMessage, message).status == "sent"  # not left `sending`, then failed
    assert sent == [f"outbox-{message}"]
