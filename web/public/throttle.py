"""How often one client may look a case up by reference and phone tail (`/track` and its API).

Four digits can be guessed, so lookups are limited per client address: `TRACK_LOOKUPS` in a
`TRACK_WINDOW_SECONDS` window (defaults 20 in 10 minutes). Kept in this process's memory: for
several processes the app-wide limiter with shared storage replaces the body of
`too_many_lookups`, and its callers stay as they are.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from flask import current_app, request

_seen: dict[str, deque[float]] = {}
_lock = threading.Lock()


def client_address() -> str:
    # Behind a proxy, ProxyFix (configured app-wide) makes this the client's own address.
    return request.remote_addr or "unknown"


def too_many_lookups(address: str | None = None) -> bool:
    """Count one lookup by this client; True when it is over the limit (answer 429)."""
    limit = int(current_app.config.get("TRACK_LOOKUPS", 20))
    window = float(current_app.config.get("TRACK_WINDOW_SECONDS", 600))
    key = f"{id(current_app._get_current_object())}:{address or client_address()}"
    now = time.monotonic()
    with _lock:
        hits = _seen.setdefault(key, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            return True
        hits.append(now)
        if len(_seen) > 10_000:  # forget idle clients rather than grow without bound
            for k in [k for k, v in _seen.items() if not v or v[-1] <= now - window]:
                del _seen[k]
        return False
