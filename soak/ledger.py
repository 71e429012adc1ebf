"""Every answer the soak's clients got, kept in order: when, which route, which host, the status
(or why there was none), and for the acts that change a case, which case and what act.

An answer is one of: an HTTP status; `refused` (the host was not listening: nothing was sent, so
the balancer tries the other host); `lost` (the request was sent and the connection died before
an answer came: the act may or may not have been done, and the client reads the case to learn
which).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REFUSED, LOST = "refused", "lost"


@dataclass
class Entry:
    at: float  # seconds since the soak started, when the request was sent
    ms: float  # how long the answer took
    actor: str
    method: str
    route: str  # the URL rule, ids replaced by <id>: what the per-page figures group by
    host: int
    status: int | str  # an HTTP status, REFUSED or LOST
    act: str | None = None  # for writes: the audit event kind it must leave (a trigger, vote…)
    case_id: int | None = None
    version: int | None = None  # the case's version the answer reported
    retry_after: str | None = None
    note: str = ""

    @property
    def answered(self) -> bool:
        return isinstance(self.status, int)

    @property
    def ok(self) -> bool:
        return isinstance(self.status, int) and 200 <= self.status < 300


class Ledger:
    def __init__(self, t0: float):
        self.t0 = t0
        self.entries: list[Entry] = []
        self.lock = threading.Lock()

    def now(self) -> float:
        return time.monotonic() - self.t0

    def add(self, entry: Entry) -> Entry:
        with self.lock:
            self.entries.append(entry)
        return entry

    def write(self, path: Path) -> None:
        """Every entry as a JSON line, for reading after the run."""
        with path.open("w") as f:
            for entry in self.snapshot():
                f.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")

    def snapshot(self) -> list[Entry]:
        with self.lock:
            return list(self.entries)
