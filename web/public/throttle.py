"""How often one client may look a case up by reference and phone tail (`/track` and its API).

Four digits can be guessed, so lookups are limited per client address: `TRACK_LOOKUPS` in a
`TRACK_WINDOW_SECONDS` window (defaults 20 in 10 minutes). The counts live in the app-wide
limiter's storage (web/security.py): Redis when `REDIS_URL` is set, so every worker and host
counts together; one process's memory otherwise.
"""

from __future__ import annotations

from flask import current_app, request
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

# Where the app-wide limiter is switched off (RATELIMIT_ENABLED=false), lookups are still
# counted, in this process.
_local = FixedWindowRateLimiter(MemoryStorage())


def client_address() -> str:
    # Behind a proxy, ProxyFix (configured app-wide) makes this the client's own address.
    return request.remote_addr or "unknown"


def too_many_lookups(address: str | None = None) -> bool:
    """Count one lookup by this client; True when it is over the limit (answer 429)."""
    limit = RateLimitItemPerSecond(
        int(current_app.config.get("TRACK_LOOKUPS", 20)),
        int(current_app.config.get("TRACK_WINDOW_SECONDS", 600)),
    )
    who = address or client_address()
    limiter = current_app.extensions.get("jiati_limiter")
    if limiter is not None and limiter.enabled:
        return not limiter.limiter.hit(limit, "track", who)
    return not _local.hit(limit, "track", str(id(current_app)), who)
