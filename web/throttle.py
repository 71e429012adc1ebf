"""Failures, not attempts: how often one may guess a password, a phone tail or a case's
reference before being slowed down.

A county office puts its whole window behind one address and mobile carriers share addresses
among many owners, so a successful sign-in costs nothing and the counts are of failures only,
on three keys for each door:

- the subject (an account, a signing link, a case reference) and the client address: the
  tight limit (`RATELIMIT_LOGIN_FAILURES`, …); one person's typos slow only that person;
- the subject across every address (`RATELIMIT_LOGIN_ACCOUNT`, …): past it, each address may
  still try once every `RATELIMIT_SLOW_SECONDS` — slowed, never locked, so that nobody can
  lock another's account by failing on purpose;
- the address across every subject (`RATELIMIT_LOGIN_ADDRESS`, …): a far higher ceiling that
  stops one address spraying many accounts.

A refused attempt is answered 429 with `Retry-After`, before the secret is even checked. The
counts live in the app-wide limiter's storage (web/security.py): Redis when `REDIS_URL` is set,
so every worker and host counts together; memory otherwise. `RATELIMIT_ENABLED=false` (as in
journeys) turns it off, except for `/track`, whose lookups are then counted in this process.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, request
from limits import RateLimitItem, RateLimitItemPerSecond, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from workflow.errors import NotAuthenticated, NotFound, WorkflowError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Door:
    name: str
    pair: str  # setting: failures per subject and address
    subject: str  # setting: failures per subject across addresses (then slowed)
    address: str  # setting: failures per address across subjects


LOGIN = Door(
    "login", "RATELIMIT_LOGIN_FAILURES", "RATELIMIT_LOGIN_ACCOUNT", "RATELIMIT_LOGIN_ADDRESS"
)
PHONE_TAIL = Door(
    "phone", "RATELIMIT_PHONE_TAIL", "RATELIMIT_PHONE_TAIL_SUBJECT", "RATELIMIT_PHONE_TAIL_ADDRESS"
)
TRACK = Door("track", "RATELIMIT_TRACK", "RATELIMIT_TRACK_SUBJECT", "RATELIMIT_TRACK_ADDRESS")

DEFAULTS = {
    "RATELIMIT_LOGIN_FAILURES": "5 per minute; 20 per hour",
    "RATELIMIT_LOGIN_ACCOUNT": "20 per 15 minutes",
    "RATELIMIT_LOGIN_ADDRESS": "100 per minute; 1000 per hour",
    "RATELIMIT_PHONE_TAIL": "10 per minute; 50 per hour",
    "RATELIMIT_PHONE_TAIL_SUBJECT": "20 per 15 minutes",
    "RATELIMIT_PHONE_TAIL_ADDRESS": "100 per minute; 1000 per hour",
    "RATELIMIT_TRACK_SUBJECT": "40 per 15 minutes",
    "RATELIMIT_TRACK_ADDRESS": "200 per 10 minutes",
    "RATELIMIT_SLOW_SECONDS": 10,
}


class TooManyFailures(Exception):
    """Refused before trying: wait `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = max(1, int(retry_after))


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.extensions["jiati_failures"] = FixedWindowRateLimiter(MemoryStorage())


def _strategy(door: Door) -> FixedWindowRateLimiter | None:
    limiter = current_app.extensions.get("jiati_limiter")
    if limiter is not None and limiter.enabled:
        return limiter.limiter
    return current_app.extensions["jiati_failures"] if door is TRACK else None


def _rates(key: str) -> list[RateLimitItem]:
    if key == "RATELIMIT_TRACK" and key not in current_app.config:
        # The older pair of settings, still honoured: TRACK_LOOKUPS per TRACK_WINDOW_SECONDS.
        return [
            RateLimitItemPerSecond(
                int(current_app.config.get("TRACK_LOOKUPS", 20)),
                int(current_app.config.get("TRACK_WINDOW_SECONDS", 600)),
            )
        ]
    return list(parse_many(str(current_app.config[key])))


def _address() -> str:
    # Behind a proxy, ProxyFix (configured app-wide) makes this the client's own address.
    return request.remote_addr or "unknown"


def _subject(value: str) -> str:
    # Usernames are phone numbers: keep them out of the throttle's storage.
    plain = "".join((value or "").split()).lower()
    return hashlib.sha256(plain.encode()).hexdigest()[:24]


def _wait(strategy: FixedWindowRateLimiter, item: RateLimitItem, *keys: str) -> int:
    if strategy.test(item, *keys):
        return 0
    reset = strategy.get_window_stats(item, *keys).reset_time
    return max(1, math.ceil(reset - time.time()))


def check(door: Door, subject: str) -> None:
    """Raise TooManyFailures when this address must wait before trying `subject` again."""
    wait = _counting(door, subject, _wait_for)
    if wait:
        raise TooManyFailures(wait)


def failed(door: Door, subject: str) -> None:
    """Count one failure of this address on `subject`."""
    _counting(door, subject, _hit)


def _counting(door: Door, subject: str, count) -> int:
    """`count` on the shared counts, or on this process's own while their storage (Redis)
    cannot be reached: guesses are still counted, and no request fails for it."""
    strategy = _strategy(door)
    if strategy is None:
        return 0
    try:
        return count(strategy, door, subject)
    except Exception as exc:  # noqa: BLE001 - the storage's own errors (redis, …)
        log.warning("throttle counts unreachable, counting in this process: %s", exc)
        return count(current_app.extensions["jiati_failures"], door, subject)


def _wait_for(strategy: FixedWindowRateLimiter, door: Door, subject: str) -> int:
    address, who = _address(), _subject(subject)
    waits = [_wait(strategy, item, door.name, "pair", who, address) for item in _rates(door.pair)]
    waits += [_wait(strategy, item, door.name, "address", address) for item in _rates(door.address)]
    wait = max(waits, default=0)
    if not wait and any(
        _wait(strategy, item, door.name, "subject", who) for item in _rates(door.subject)
    ):
        # Many failures for this subject from everywhere: one try per address every few
        # seconds — the owner can still get in, a guesser gets almost nowhere.
        slow = RateLimitItemPerSecond(1, int(current_app.config["RATELIMIT_SLOW_SECONDS"]))
        wait = _wait(strategy, slow, door.name, "slow", who, address)
        if not wait:
            strategy.hit(slow, door.name, "slow", who, address)
    return wait


def _hit(strategy: FixedWindowRateLimiter, door: Door, subject: str) -> int:
    address, who = _address(), _subject(subject)
    for item in _rates(door.pair):
        strategy.hit(item, door.name, "pair", who, address)
    for item in _rates(door.subject):
        strategy.hit(item, door.name, "subject", who)
    for item in _rates(door.address):
        strategy.hit(item, door.name, "address", address)
    return 0


# What a failed guess looks like at each door: a wrong identity on a signing link or the
# notice, a wrong password for a token, no case for a reference and phone tail.
IDENTITY = frozenset({"owner_name", "phone_tail"})


def _is_failure(door: Door, exc: WorkflowError) -> bool:
    if door is PHONE_TAIL:
        return any(m.code in IDENTITY for m in exc.messages)
    if door is TRACK:
        return isinstance(exc, NotFound)
    return isinstance(exc, NotAuthenticated)


@contextmanager
def guarded(door: Door, subject: str) -> Iterator[None]:
    """Refuse at once when this address must wait; count the guess if it fails."""
    check(door, subject)
    try:
        yield
    except WorkflowError as exc:
        if _is_failure(door, exc):
            failed(door, subject)
        raise
