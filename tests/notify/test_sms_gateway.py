"""The HTTP SMS sender against a fake gateway on loopback that fails, times out and answers
late: every message is delivered exactly once, and what never gets through is marked failed."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from workflow.adapters import sms_sender_from
from workflow.adapters.http_sms import HttpSmsSender
from workflow.data.models import OutboxMessage
from workflow.notify import outbox as notifications
from workflow.notify.log_sms import LoggingSender

from ..conftest import immediate_jobs
from ..journey import ROSTER

TIMEOUT = 0.4  # the sender's; the gateway's "timeout" answers after it


class FakeGateway(ThreadingHTTPServer):
    """Answers each request by the next behaviour of its script, then "ok" for ever:
    fail (HTTP 500), timeout (no answer before the sender gives up; nothing delivered),
    late (a slow but timely 200), ok. Counts what it delivered."""

    daemon_threads = True

    def __init__(self, script):
        super().__init__(("127.0.0.1", 0), Handler)  # a free port: runs may share the machine
        self.script = list(script)
        self.delivered: list[tuple[str, str]] = []
        self.requests = 0
        self.auth: set[str] = set()
        self.lock = threading.Lock()

    def next_behaviour(self) -> str:
        with self.lock:
            self.requests += 1
            return self.script.pop(0) if self.script else "ok"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        gw: FakeGateway = self.server
        gw.auth.add(self.headers.get("Authorization", ""))
        what = gw.next_behaviour()
        if what == "timeout":
            time.sleep(TIMEOUT * 3)
            return  # the client has gone: the gateway drops it
        if what == "late":
            time.sleep(TIMEOUT / 3)
        if what == "fail":
            self.send_response(500)
            self.end_headers()
            return
        with gw.lock:
            gw.delivered.append((body["phone"], body["text"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')


@pytest.fixture
def gateway(request):
    server = FakeGateway(getattr(request, "param", []))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sms_rt(rt, gateway, tmp_path):
    rt.sms = HttpSmsSender(f"http://127.0.0.1:{gateway.server_port}/sms", "k3y", timeout=TIMEOUT)
    immediate_jobs(rt, tmp_path)
    return rt


def outbox(rt):
    with rt.db.session() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.status != "none")))


def sweep_until_quiet(rt, clock, rounds=10):
    for _ in range(rounds):
        clock.advance(hours=2)  # past every back-off
        notifications.deliver_due_messages(rt)


@pytest.mark.parametrize(
    "gateway", [["fail", "timeout", "late", "fail", "fail", "timeout", "late"]], indirect=True
)
def test_every_signing_link_is_delivered_exactly_once_after_failures(
    sms_rt, journey, gateway, clock
):
    journey.case_in("consultation")
    sweep_until_quiet(sms_rt, clock)
    texts = Counter(gateway.delivered)
    assert sorted(phone for phone, _ in texts) == sorted(h["phone"] for h in ROSTER)
    assert set(texts.values()) == {1}
    assert gateway.auth == {"Bearer k3y"}
    rows = outbox(sms_rt)
    assert {m.status for m in rows} == {"sent"}
    assert sum(m.attempts for m in rows) == gateway.requests
    assert max(m.attempts for m in rows) > 1


@pytest.mark.parametrize("gateway", [["fail"] * 40], indirect=True)
def test_a_message_the_gateway_never_takes_ends_failed_and_visible(sms_rt, journey, gateway, clock):
    case_id = journey.case_in("consultation")
    sweep_until_quiet(sms_rt, clock)
    rows = outbox(sms_rt)
    assert {m.status for m in rows} == {"failed"}
    assert {m.attempts for m in rows} == {notifications.MAX_ATTEMPTS}
    assert all("500" in m.last_error for m in rows)
    assert gateway.delivered == []
    # The applicant's own inbox still holds nothing of the households'; the texts remain rows.
    assert len(rows) == len(ROSTER) and all(m.case_id == case_id for m in rows)


def test_a_retry_waits_for_its_back_off(sms_rt, journey, gateway, clock):
    gateway.script = ["fail"] * len(ROSTER)
    journey.case_in("consultation")
    assert {m.status for m in outbox(sms_rt)} == {"pending"}
    assert notifications.deliver_due_messages(sms_rt) == 0  # too early
    clock.advance(seconds=31)
    assert notifications.deliver_due_messages(sms_rt) == len(ROSTER)
    assert {m.status for m in outbox(sms_rt)} == {"sent"}


def test_a_row_left_half_sent_by_a_dead_worker_is_failed_not_resent(sms_rt, journey, clock):
    journey.case_in("consultation")
    with sms_rt.db.transaction() as s:
        m = s.scalars(select(OutboxMessage).where(OutboxMessage.status == "sent")).first()
        m.status, m.claimed_at = "sending", clock()
        mid = m.id
    clock.advance(minutes=11)
    notifications.deliver_due_messages(sms_rt)
    with sms_rt.db.session() as s:
        assert s.get(OutboxMessage, mid).status == "failed"


def test_the_settings_choose_the_sender():
    assert isinstance(sms_sender_from({}), LoggingSender)
    sender = sms_sender_from(
        {"SMS_GATEWAY_URL": "https://sms.example/send", "SMS_GATEWAY_KEY": "x"}
    )
    assert isinstance(sender, HttpSmsSender) and sender.key == "x"
    assert timedelta(0) < notifications.BACKOFF[0]
