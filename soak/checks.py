"""What the soak checks after the run, each a line of the printed table with its figures."""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from .faults import Faults, Memory, Window
from .ledger import LOST, REFUSED, Entry
from .load import COMMUNITY

FACTS = ("case_created", "vote", "upload", "opinion")  # acts that leave an event of that kind
MIN_SAMPLES = 20  # answers of a page in each phase before its p95 is judged
MEMORY_GROWTH = 0.10
MIN_SERVICE = 120.0  # seconds a worker must have served for its memory to be judged
P95_RATIO = 2.0
# Below this a page's p95 measures the scheduler of a machine shared with other work (a 10 ms
# page descheduled once for 50 ms), not the page: quiet p95s under it are compared as this.
NOISE_FLOOR_MS = 50.0


@dataclass
class Check:
    group: str
    name: str
    ok: bool
    figures: str


@dataclass
class Timeline:
    seconds: float
    warm: float
    quiet_end: float
    schedule: list[tuple[float, str]]

    @classmethod
    def of(cls, seconds: float) -> Timeline:
        """Warm-up, then a quiet run (no fault), then the faults spread over the rest, one at a
        time: each waits until the one before has recovered (so a short run lasts longer than
        asked). The web host dies first, so that the workers it starts again serve long enough
        for their memory to be judged."""
        # Every page asked a few times (templates compiled, modules imported), and every desk
        # busy: the first cases take half a minute to reach the window and the departments.
        warm = 30.0
        quiet_end = warm + max(30.0, 0.15 * seconds)
        span = seconds - quiet_end
        at = [quiet_end + f * span for f in (0.03, 0.2, 0.34, 0.46, 0.6)]
        names = ["kill_web_host", "restart_postgres", "kill_redis", "kill_worker_mid_batch",
                 "pause_s3"]  # fmt: skip
        return cls(seconds, warm, quiet_end, list(zip(at, names, strict=True)))

    @property
    def tail(self) -> float:
        """Load after the last fault has recovered, before the run ends."""
        return max(20.0, 0.07 * self.seconds)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def in_any(windows: list[Window], e: Entry) -> bool:
    """Whether a request was under way at some moment of a fault's window."""
    return any(w.covers(e.at) or w.covers(e.at + e.ms / 1000) or
               (e.at < w.start and e.at + e.ms / 1000 > w.start) for w in windows)  # fmt: skip


# --- the ledger against the database ---------------------------------------------------------


def ledger_against_database(entries: list[Entry], engine, triggers: set[str]) -> list[Check]:
    acts = set(FACTS) | triggers
    ok: Counter = Counter()
    lost: Counter = Counter()
    refused_answers: Counter = Counter()  # answered, but not 2xx: must leave nothing
    lost_creates = 0
    for e in entries:
        if e.act not in acts:
            continue
        if e.case_id is None:
            lost_creates += e.act == "case_created" and e.status == LOST
            continue
        key = (e.case_id, e.act)
        if e.ok:
            ok[key] += 1
        elif e.status == LOST:
            lost[key] += 1
        elif e.answered:
            refused_answers[key] += 1
    with engine.connect() as c:
        cases = set(c.scalars(text("SELECT id FROM cases WHERE community = :c"), {"c": COMMUNITY}))
        rows = c.execute(
            text("SELECT case_id, kind FROM events WHERE case_id IN "
                 "(SELECT id FROM cases WHERE community = :c)"),
            {"c": COMMUNITY},
        ).all()  # fmt: skip
    db: Counter = Counter((case_id, kind) for case_id, kind in rows if kind in acts)
    missing = {k: n - db[k] for k, n in ok.items() if db[k] < n}
    extra = {k: db[k] - ok[k] for k in db if db[k] > ok[k] + lost[k]}
    unknown_cases = cases - {k[0] for k in ok if k[1] == "case_created"}
    extra_cases = max(0, len(unknown_cases) - lost_creates)
    resolved = sum(min(lost[k], max(0, db[k] - ok[k])) for k in lost)
    n_ok = sum(ok.values())
    n_trans = sum(n for (_, act), n in ok.items() if act in triggers)
    return [
        Check("ledger = database", "every act answered 2xx is in the database",
              not missing,
              f"{n_ok} acts answered 2xx ({n_trans} transitions) on {len(cases)} cases; "
              f"missing {sum(missing.values())}" + (f" e.g. {list(missing)[:3]}" if missing else "")),
        Check("ledger = database", "nothing in the database that was not answered 2xx",
              not extra and not extra_cases,
              f"{sum(extra.values())} unanswered acts found, {extra_cases} unknown cases; "
              f"{sum(refused_answers.values())} refusals (4xx/503) left nothing; "
              f"{sum(lost.values())} answers lost with a host, {resolved} of them done"
              + (f" e.g. {list(extra)[:3]}" if extra else "")),
    ]  # fmt: skip


# --- answers -----------------------------------------------------------------------------------


def answers(entries: list[Entry], windows: list[Window]) -> list[Check]:
    errors = [e for e in entries if e.answered and e.status >= 500 and e.status != 503]
    unavailable = [e for e in entries if e.status == 503]
    stray_503 = [e for e in unavailable if not in_any(windows, e)]
    host_deaths = [w for w in windows if "web host" in w.name]
    lost = [e for e in entries if e.status == LOST]
    stray_lost = [e for e in lost if not in_any(host_deaths, e)]
    refused = [e for e in entries if e.status == REFUSED]
    by_status = Counter(e.status for e in entries)
    top = ", ".join(f"{k}: {v}" for k, v in sorted(by_status.items(), key=lambda kv: str(kv[0])))
    return [
        Check("answers", "no 500 at any time", not errors,
              f"{len(entries)} requests ({top})"
              + (f"; e.g. {errors[0].route} {errors[0].status} at {errors[0].at:.0f} s" if errors else "")),
        Check("answers", "503 only while something was down", not stray_503,
              f"{len(unavailable)} × 503, {len(stray_503)} outside a fault's window"
              + (f"; e.g. {stray_503[0].route} at {stray_503[0].at:.0f} s" if stray_503 else "")),
        Check("answers", "answers lost only with the killed host", not stray_lost,
              f"{len(lost)} lost, {len(stray_lost)} outside its window; {len(refused)} refused "
              f"connections sent to the other host"
              + (f"; e.g. {stray_lost[0].route} at {stray_lost[0].at:.0f} s: {stray_lost[0].note}"
                 if stray_lost else "")),
    ]  # fmt: skip


def database_down(faults: Faults) -> list[Check]:
    out = []
    for what, label in (("page", "pages answer 503 + Retry-After, in Chinese"),
                        ("api", "the API answers 503 + Retry-After (JSON)"),
                        ("readyz", "/readyz fails")):  # fmt: skip
        probes = [p for p in faults.probes if p.what == what]
        bad = [p for p in probes if not p.good]
        retry = sorted({p.retry_after for p in probes if p.retry_after})
        out.append(Check(
            "database down", label, bool(probes) and not bad,
            f"{len(probes) - len(bad)}/{len(probes)} probes"
            + (f" (Retry-After: {', '.join(retry)} s)" if retry else "")
            + (f"; e.g. {bad[0].status} {bad[0].note[:80]!r}" if bad else ""),
        ))  # fmt: skip
    back = faults.readyz_back
    out.append(Check(
        "database down", "/readyz recovers by itself", len(back) == 2 and max(back) <= 30,
        f"ready again {', '.join(f'{s} s' for s in back)} after PostgreSQL started"
        if back else "never ready again",
    ))  # fmt: skip
    return out


# --- jobs --------------------------------------------------------------------------------------


def stored_events(logs: list[Path]) -> Counter:
    """How many times each letter's bytes were stored, from every process's JSON log lines."""
    seen: Counter = Counter()
    for log in logs:
        if not log.exists():
            continue
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("{") and '"letter_stored"' in line:
                try:
                    seen[json.loads(line)["letter_id"]] += 1
                except (ValueError, KeyError):
                    continue
    return seen


def letters(engine, s3, bucket: str, logs: list[Path]) -> list[Check]:
    from web.pdf.batch import render_letters

    with engine.connect() as c:
        rows = c.execute(text("SELECT id, sha256, data FROM letters ORDER BY id")).all()
    unrendered = [r.id for r in rows if not r.sha256]
    stores = stored_events(logs)
    not_once = {r.id: stores[r.id] for r in rows if stores[r.id] != 1}
    bad_bytes = []
    for r in rows:
        if r.sha256:
            body = s3.get_object(Bucket=bucket, Key=f"files/{r.sha256[:2]}/{r.sha256}")["Body"]
            if hashlib.sha256(body.read()).hexdigest() != r.sha256:
                bad_bytes.append(r.id)
    rendered = [r for r in rows if r.sha256]
    contexts = [r.data if isinstance(r.data, dict) else json.loads(r.data) for r in rendered]
    again = render_letters(contexts)
    differ = [r.id for r, pdf in zip(rendered, again, strict=True)
              if hashlib.sha256(pdf).hexdigest() != r.sha256]  # fmt: skip
    return [
        Check("jobs", "every letter rendered, stored once", not unrendered and not not_once,
              f"{len(rows)} letters, {len(unrendered)} without bytes, "
              f"{len(not_once)} not stored exactly once"
              + (f" e.g. {dict(list(not_once.items())[:3])}" if not_once else "")),
        Check("jobs", "stored bytes = a re-render, byte for byte", not bad_bytes and not differ,
              f"{len(rendered) - len(differ)}/{len(rendered)} identical; {len(bad_bytes)} "
              "stored objects not matching their hash"),
    ]  # fmt: skip


def outbox(engine, received: Counter) -> list[Check]:
    with engine.connect() as c:
        rows = c.execute(text("SELECT id, status FROM outbox_messages")).all()
    sms = [r for r in rows if r.status != "none"]
    keys = {f"outbox-{r.id}" for r in sms}
    unsent = [r for r in sms if r.status != "sent"]
    twice = {k: n for k, n in received.items() if n > 1}
    never = [k for k in keys if received[k] == 0]
    strangers = [k for k in received if k not in keys]
    statuses = Counter(r.status for r in sms)
    return [
        Check("jobs", "every outbox message delivered exactly once",
              not unsent and not twice and not never and not strangers,
              f"{len(sms)} text messages ({', '.join(f'{k} {v}' for k, v in statuses.items())}); "
              f"gateway: {sum(received.values())} posts, {len(twice)} twice, {len(never)} never"),
    ]  # fmt: skip


def batches(engine, s3, bucket: str, windows: list[Window]) -> list[Check]:
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT id, state, attempts, done, total, sha256 FROM batch_prints ORDER BY id")
        ).all()
    unfinished = [r.id for r in rows if r.state != "done" or not r.sha256 or r.done != r.total]
    killed = next((w for w in windows if "batch" in w.detail), None)
    cut = None
    if killed is not None:
        cut = next((r for r in rows if r.id == killed.detail["batch"]), None)
    missing = []
    for r in rows:
        if r.sha256:
            try:
                s3.head_object(Bucket=bucket, Key=f"files/{r.sha256[:2]}/{r.sha256}")
            except Exception:  # noqa: BLE001 - counted
                missing.append(r.id)
    out = [
        Check("jobs", "every batch finished", not unfinished and not missing,
              f"{len(rows)} batches, {len(unfinished)} unfinished, {len(missing)} files missing"),
    ]  # fmt: skip
    if killed is not None:
        d = killed.detail
        out.append(Check(
            "jobs", "the batch cut by SIGKILL was started again and finished",
            bool(d.get("mid_batch")) and cut is not None and cut.state == "done"
            and cut.attempts >= 2 and not d.get("render_processes_left"),
            f"{d.get('letters')} letters, killed at {d.get('state_at_kill')}; "
            f"then {cut.state if cut else '?'} after {cut.attempts if cut else '?'} starts; "
            f"{d.get('render_processes_left', 0)} render processes outlived the worker",
        ))  # fmt: skip
    return out


# --- memory and speed --------------------------------------------------------------------------


def memory(mem: Memory, end: float) -> list[Check]:
    """Each worker over the second half of its service: the run's second half for a worker that
    served throughout; the second half of its own time for one that died or started during the
    run (the killed host's), so that loading what its first pages need is not taken for a leak.
    A worker that served less than MIN_SERVICE seconds is not judged. Its growth: the median of
    the last quarter of that half against the median of the first."""
    series: dict[tuple[int, int], list[tuple[float, int]]] = defaultdict(list)
    for t, host, pid, kib in mem.samples:
        if t <= end:
            series[(host, pid)].append((t, kib))
    judged, worst, lines = 0, 0.0, []
    for (host, _pid), points in sorted(series.items()):
        born, last = points[0][0], points[-1][0]
        if last - born < MIN_SERVICE:
            continue
        middle = (born + last) / 2
        points = [p for p in points if p[0] >= middle]
        if len(points) < 6:
            continue
        # Medians of the first and the last quarter: a large answer's memory, given back a
        # moment later, is not growth; a leak raises the whole quarter.
        quarter = max(3, len(points) // 4)
        first = statistics.median(k for _, k in points[:quarter])
        final = statistics.median(k for _, k in points[-quarter:])
        growth = (final - first) / first
        judged += 1
        worst = max(worst, growth)
        lines.append(f"h{host + 1} {middle:.0f}–{last:.0f} s: {first / 1024:.0f}→{final / 1024:.0f} "
                     f"MiB ({growth:+.1%})")  # fmt: skip
    return [
        Check("memory", "each web worker grows < 10 % over the second half of its service",
              judged > 0 and worst < MEMORY_GROWTH,
              f"{judged} workers judged, worst {worst:+.1%}: " + "; ".join(lines)),
    ]  # fmt: skip


def speed(entries: list[Entry], timeline: Timeline, windows: list[Window], end: float,
          machine: list[tuple[float, float]]):  # fmt: skip
    """Each page's p95 outside the faults' windows against the quiet run's. The machine's own
    slowdown between the two (the p95 of a fixed piece of CPU work, `Machine`), when above 1,
    divides the ratio judged: other work on a shared machine is not the service's doing."""
    quiet: dict[str, list[float]] = defaultdict(list)
    loaded: dict[str, list[float]] = defaultdict(list)
    for e in entries:
        if e.method != "GET" or e.status != 200 or e.actor == "probe" or e.route.endswith(".json"):
            continue
        if timeline.warm <= e.at < timeline.quiet_end:
            quiet[e.route].append(e.ms)
        elif timeline.quiet_end <= e.at <= end and not in_any(windows, e):
            loaded[e.route].append(e.ms)
    calm = [ms for t, ms in machine if timeline.warm <= t < timeline.quiet_end]
    busy = [ms for t, ms in machine
            if timeline.quiet_end <= t <= end and not any(w.covers(t) for w in windows)]  # fmt: skip
    slowdown = p95(busy) / p95(calm) if calm and busy else 1.0
    rows, worst, judged = [], 0.0, 0
    quiet["GET (every page together)"] = [ms for v in list(quiet.values()) for ms in v]
    loaded["GET (every page together)"] = [ms for v in list(loaded.values()) for ms in v]
    for route in sorted(set(quiet) | set(loaded)):
        q, ld = quiet.get(route, []), loaded.get(route, [])
        if len(q) < MIN_SAMPLES or len(ld) < MIN_SAMPLES:
            rows.append((route, len(q), len(ld), None, None, None, None))
            continue
        ratio = p95(ld) / max(p95(q), NOISE_FLOOR_MS)
        judged_ratio = ratio / max(1.0, slowdown)
        worst = max(worst, judged_ratio)
        judged += 1
        rows.append((route, len(q), len(ld), p95(q), p95(ld), ratio, judged_ratio))
    check = Check(
        "speed", f"p95 of each page under faults within {P95_RATIO:.0f}× of the quiet run",
        judged > 0 and worst <= P95_RATIO,
        f"{judged} pages judged (≥ {MIN_SAMPLES} answers in each phase; a quiet p95 under "
        f"{NOISE_FLOOR_MS:.0f} ms counts as {NOISE_FLOOR_MS:.0f}); the machine itself "
        f"{slowdown:.2f}× as slow; worst {worst:.2f}×",
    )  # fmt: skip
    return [check], rows, slowdown
