"""The soak's HTTP client: a load balancer in front of the two hosts, and one user's requests
through it, each written to the ledger.

What the balancer does is what nginx or a cloud balancer does: a host that refuses connections
is left out for a few seconds and the request goes to the other one (nothing was sent, so that
is always safe). What the client does is what a well-behaved client does: on 503 or 429 it waits
as `Retry-After` says and asks again; a read whose connection died is asked again; a write whose
connection died is not, and the caller reads the case to learn whether it was done.
"""

from __future__ import annotations

import itertools
import re
import threading
import time

import requests
from urllib3.exceptions import NewConnectionError

from .ledger import LOST, REFUSED, Entry, Ledger

CONNECT_TIMEOUT, READ_TIMEOUT = 3, 75  # gunicorn's own timeout is 60 s
MAX_WAIT = 10  # the longest Retry-After honoured in one go
_ID = re.compile(r"/\d+(?=/|$|\.)")
_TOKEN = re.compile(r"/(sign|verify)/[^/]+")


def route_of(method: str, path: str) -> str:
    """`GET /staff/cases/17` → `GET /staff/cases/<id>`: what the figures group by."""
    path = path.split("?", 1)[0]
    path = _TOKEN.sub(lambda m: f"/{m.group(1)}/<token>", path)
    return f"{method} {_ID.sub('/<id>', path)}"


class Balancer:
    def __init__(self, ports: list[int]):
        self.bases = [f"http://127.0.0.1:{p}" for p in ports]
        self.down_until = [0.0] * len(ports)
        self.turn = itertools.count()
        self.lock = threading.Lock()

    def pick(self) -> int:
        with self.lock:
            now = time.monotonic()
            for _ in range(len(self.bases)):
                i = next(self.turn) % len(self.bases)
                if self.down_until[i] <= now:
                    return i
            return next(self.turn) % len(self.bases)

    def mark_down(self, i: int, seconds: float = 3.0) -> None:
        with self.lock:
            self.down_until[i] = time.monotonic() + seconds


def _not_sent(exc: Exception) -> bool:
    """The connection was refused: the request never reached a host."""
    seen: set[int] = set()
    stack: list[object] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, (NewConnectionError, ConnectionRefusedError)):
            return True
        stack += [getattr(e, "reason", None), getattr(e, "__cause__", None),
                  getattr(e, "__context__", None), *getattr(e, "args", ())]  # fmt: skip
    return "Connection refused" in str(exc)


class Client:
    """One user's requests (a session: cookies, and a bearer token once it has one)."""

    def __init__(self, name: str, balancer: Balancer, ledger: Ledger, give_up_after: float = 120):
        self.name = name
        self.balancer = balancer
        self.ledger = ledger
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"jiati-soak/{name}"
        self.give_up_after = give_up_after
        self.token: str | None = None

    def call(
        self,
        method: str,
        path: str,
        *,
        act: str | None = None,
        case_id: int | None = None,
        idempotent: bool | None = None,
        **kwargs,
    ) -> requests.Response | None:
        """The answer, after waiting out 503/429 and moving past a dead host; None when a write's
        connection died before its answer (the ledger says `lost`)."""
        if idempotent is None:
            idempotent = method in ("GET", "HEAD")
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token and path.startswith("/api/"):
            headers.setdefault("Authorization", f"Bearer {self.token}")
        kwargs.setdefault("allow_redirects", False)
        route = route_of(method, path)
        end = time.monotonic() + self.give_up_after
        while True:
            i = self.balancer.pick()
            at = self.ledger.now()
            start = time.perf_counter()
            try:
                r = self.session.request(
                    method,
                    self.balancer.bases[i] + path,
                    headers=headers,
                    timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                    **kwargs,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                ms = (time.perf_counter() - start) * 1000
                refused = _not_sent(exc) or isinstance(exc, requests.ConnectTimeout)
                self.ledger.add(Entry(at, ms, self.name, method, route, i,
                                      REFUSED if refused else LOST, act, case_id,
                                      note=f"{exc.__class__.__name__}: {str(exc)[:160]}"))  # fmt: skip
                if refused:
                    self.balancer.mark_down(i)
                    time.sleep(0.05)
                    if time.monotonic() < end:
                        continue
                    return None
                if idempotent and time.monotonic() < end:
                    time.sleep(0.5)
                    continue
                return None
            ms = (time.perf_counter() - start) * 1000
            wait = r.headers.get("Retry-After")
            version = None
            etag = r.headers.get("ETag", "").strip('W/"')
            if etag.isdigit():
                version = int(etag)
            r.entry = self.ledger.add(Entry(at, ms, self.name, method, route, i, r.status_code,
                                            act, case_id, version, wait))  # fmt: skip
            if r.status_code in (503, 429) and time.monotonic() < end:
                try:
                    seconds = float(wait) if wait else 1.0
                except ValueError:
                    seconds = 1.0
                time.sleep(min(max(seconds, 0.2), MAX_WAIT))
                continue
            return r

    # -- helpers for the two kinds of user

    def api_login(self, username: str, password: str) -> None:
        r = self.call("POST", "/api/v1/token", json={"username": username, "password": password},
                      idempotent=True)  # fmt: skip
        if r is None or r.status_code != 200:
            raise RuntimeError(f"{self.name}: no token ({r.status_code if r else 'no answer'})")
        self.token = r.json()["token"]

    def web_login(self, username: str, password: str) -> None:
        page = self.call("GET", "/auth/login")
        token = csrf_of(page.text)
        r = self.call("POST", "/auth/login", idempotent=True,
                      data={"csrf_token": token, "username": username, "password": password})  # fmt: skip
        if r is None or r.status_code != 302:
            raise RuntimeError(
                f"{self.name}: web login failed ({r.status_code if r else 'no answer'})"
            )

    def csrf(self, path: str) -> str:
        return csrf_of(self.call("GET", path).text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)
