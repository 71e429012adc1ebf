"""Demo data at province scale: many cases written in bulk, not through the use cases.

`flask --app web demo --cases 100000` adds this many cases on top of the demo's logins. Each
case walks the declared machine from 草拟 with plausible gaps between steps (weeks of
consultation, days at the window, months of construction) from a start spread over ten years,
and stops where its dates reach today or where its planned end lies: most old cases are
finished, recent ones are spread over the process. Units have 8–24 households; the audit
chains are real (each event hashed onto the previous), letters carry their numbers and facts and
are rendered on first download.

Rows are made a few thousand cases at a time, so memory stays flat, and stored by
workflow.bulkload (COPY on PostgreSQL, executemany on SQLite): 100,000 cases take minutes.
"""

from __future__ import annotations

import base64
import json
import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select, text

from ..data.audit import GENESIS, event_digest
from ..data.models import Case, Event, Household, LetterCounter, User
from ..data.runtime import Runtime
from ..data.settings import DEPARTMENTS, Settings
from ..papers.letters import CODE_ALPHABET, format_number, verify_url
from ..papers.letters import KINDS as LETTER_KINDS
from ..process.desks import WINDOW, desks_waiting
from ..process.machine import TRANSITION
from ..read.statistics import forget_checkpoints, refresh_statistics
from ..rules.passwords import hash_password
from ..rules.workdays import WorkCalendar, add_years
from . import load as bulkload

CHUNK = 2000
_PAYLOAD = json.JSONEncoder(ensure_ascii=False, default=str)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红华建国志淑珍喆文斌海燕波辉鹏宇浩凯"
COMMUNITIES = [
    f"{a}{b}"
    for a in ("翠湖", "东湖", "光明", "幸福", "建设", "人民", "书院", "沙河", "南城", "北城")
    for b in ("花园", "小区", "里", "新村", "家园")
]
STREETS = ("建设路", "人民路", "书院街", "光武大道", "民主路", "北京路", "襄阳路", "前进路")
# The 街道 a building lies in (the queues and the mediators filter by it), as in the demo.
DISTRICTS = ("南城街道", "北城街道", "环城街道")
# A case waiting on a desk has a named handler there this often (issue 30): the queues'
# "mine" and "nobody's" filters then split the waiting cases as at a working desk.
HANDLED = 0.6

# Where a case's life is planned to end (before today cuts it short), in shares that follow
# what such programmes report: most go all the way, some are withdrawn, few are refused.
ENDS = [
    ("subsidy_paid", 56),
    ("subsidy_approved", 8),
    ("withdrawn_early", 9),
    ("withdrawn_late", 3),
    ("rejected", 3),
    ("completed", 6),
    ("construction", 3),
    ("draft", 4),
    ("consultation", 5),
    ("publicity", 3),
]
# The main road: trigger, the days it usually takes to get there (min, max), who fires it.
ROAD = [
    ("start_consultation", (1, 20), "applicant"),
    ("finish_consultation", (10, 60), "applicant"),
    ("submit", (10, 20), "applicant"),
    ("accept", (0, 3), "clerk"),
    ("approve", (4, 18), "housing"),
    ("start_construction", (15, 60), "applicant"),
    ("report_completion", (60, 180), "applicant"),
    ("confirm_completion", (1, 5), "clerk"),
    ("apply_subsidy", (5, 40), "applicant"),
    ("approve_subsidy", (5, 25), "housing"),
    ("record_payment", (10, 60), "clerk"),
]
STOP_AFTER = {
    "draft": 0,
    "submitted": 3,
    "consultation": 1,
    "publicity": 2,
    "completed": 8,
    "construction": 6,
    "subsidy_approved": len(ROAD) - 1,
    "subsidy_paid": len(ROAD),
}


class _SecretBytes:
    """Secret bytes read from the system 64 KiB at a time: each read is a system call, and a
    province's households need millions of signing tokens."""

    def __init__(self) -> None:
        self.buf, self.at = b"", 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.buf):
            self.buf, self.at = secrets.token_bytes(1 << 16), 0
        self.at += n
        return self.buf[self.at - n : self.at]


_SECRET = _SecretBytes()
_CODES = len(CODE_ALPHABET) ** 10


def _verify_code() -> str:
    """As letters.new_verify_code; 64 bits modulo 31**10 leave a bias of about 1 in 22,000."""
    n, code = int.from_bytes(_SECRET.take(8), "big") % _CODES, []
    for _ in range(10):
        n, i = divmod(n, len(CODE_ALPHABET))
        code.append(CODE_ALPHABET[i])
    return "".join(code)


def _name(rng: random.Random) -> str:
    # rng.random() rather than rng.choice: a name for each of 1.6 million households.
    r = rng.random
    name = SURNAMES[int(r() * len(SURNAMES))] + GIVEN[int(r() * len(GIVEN))]
    return name + GIVEN[int(r() * len(GIVEN))] if r() < 0.5 else name


TABLES = {
    "cases": [
        "id", "reference", "applicant_id", "community", "address", "building", "unit", "floors",
        "state", "version", "created_at", "updated_at", "estimated_cost_fen", "coefficients",
        "consultation_started_at", "publicity_start", "publicity_end", "publicity_place",
        "submitted_at", "acceptance_due", "accepted_at", "review_due", "deadline_estimated",
        "review_round", "decided_at", "decision_reasons", "contractor", "construction_start",
        "completed_at", "actual_cost_fen", "payee", "subsidy_fen", "subsidy_reason",
        "subsidy_paid_on", "payment_voucher", "street", "registration_number", "registered_on",
    ],
    "households": [
        "id", "case_id", "position", "room", "floor", "area", "owner_name", "phone",
        "signing_token", "failed_checks",
    ],
    "votes": [
        "household_id", "case_id", "choice", "signature_name", "signed_at", "channel",
    ],
    "opinions": [
        "case_id", "review_round", "department", "verdict", "comment", "user_id", "given_at",
    ],
    "letters": [
        "case_id", "kind", "year", "serial", "number", "verify_code", "issued_at", "addressee",
        "data", "trigger",
    ],
    "events": [
        "chain", "seq", "case_id", "actor_id", "actor_name", "actor_role", "at", "kind",
        "from_state", "to_state", "payload", "prev_hash", "hash",
    ],
    "case_handlers": ["case_id", "desk", "user_id", "assigned_at", "assigned_by_id"],
    "elevators": [
        "case_id", "registration_number", "registered_on", "last_inspected_on",
        "next_inspection_due", "link_token",
    ],
}  # fmt: skip


def generate(
    rt: Runtime,
    cases: int,
    *,
    seed: int = 13,
    progress: Callable[[int], None] | None = None,
    end: str | None = None,
) -> list[int]:
    """Add `cases` cases in bulk; returns their ids. The demo's logins must exist
    (`workflow.demo.load`). `end` makes every case stop at that state (e.g. "submitted", for
    measuring a transition) with all its steps in the past year."""
    rng = random.Random(seed)  # nosec B311  # demo data, not secrets
    now = rt.clock().replace(microsecond=0)
    settings = rt.settings
    cal = WorkCalendar()
    with rt.db.engine.begin() as conn:
        staff = {
            u.username: u
            for u in conn.execute(
                select(User.id, User.username, User.name).where(
                    User.username.in_(("clerk", "housing", "planning", "market"))
                )
            )
        }
        if len(staff) < 4:
            raise RuntimeError("load the demo first (flask --app web demo)")
        next_case = (conn.scalar(select(func.max(Case.id))) or 0) + 1
        last_event = conn.scalar(select(func.max(Event.id))) or 0
        next_household = (conn.scalar(select(func.max(Household.id))) or 0) + 1
        counters = Counter(
            {
                (k, y): n
                for k, y, n in conn.execute(
                    select(LetterCounter.kind, LetterCounter.year, LetterCounter.last)
                )
            }
        )
        applicants = _applicants(conn, rng, max(1, cases // 8), now)
    codes: set[str] = set()
    written = 0
    first_id = next_case
    # Setting indexes aside pays when the load at least doubles the cases; not for a few more.
    rebuild = cases >= first_id - 1
    with bulkload.loading(rt.db.engine, TABLES, rebuild=rebuild, analyze=("users",)) as store:
        while written < cases:
            batch = min(CHUNK, cases - written)
            chunk: dict[str, list[tuple]] = {t: [] for t in TABLES}
            for _ in range(batch):
                cid, hid = next_case, next_household
                next_household += _one_case(
                    chunk,
                    rng,
                    cid,
                    hid,
                    now,
                    applicants,
                    staff,
                    counters,
                    codes,
                    settings,
                    cal,
                    end,
                )
                next_case += 1
            store(chunk)
            written += batch
            if progress:
                progress(written)
    with rt.db.engine.begin() as conn:
        _store_counters(conn, counters)
        if conn.dialect.name == "postgresql":
            for table in ("cases", "households", "users"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608  # our own table names
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                )
    # The events are back-dated: a statistics checkpoint made during the load may have missed
    # some. Then the statistics count the new events once, so the first view is not the one.
    forget_checkpoints(rt, last_event)
    refresh_statistics(rt)
    return list(range(first_id, first_id + written))


def _applicants(conn: Any, rng: random.Random, n: int, now: datetime) -> list[tuple[int, str]]:
    """Homeowner accounts that applied; one password hash for all (hashing is slow on purpose)."""
    digest = hash_password(secrets.token_urlsafe(12))
    start = (conn.scalar(select(func.max(User.id))) or 0) + 1
    rows = []
    for i in range(n):
        rows.append(
            {
                "id": start + i,
                "username": f"150{start + i:08d}",
                "password_hash": digest,
                "role": "homeowner",
                "name": _name(rng),
                "phone": f"150{start + i:08d}",
                "active": True,
                "created_at": now,
                "failed_logins": 0,
            }
        )
    conn.execute(User.__table__.insert(), rows)
    return [(r["id"], r["name"]) for r in rows]


def _store_counters(conn: Any, counters: Counter) -> None:
    for (kind, year), last in counters.items():
        updated = conn.execute(
            LetterCounter.__table__.update()
            .where(LetterCounter.kind == kind, LetterCounter.year == year)
            .values(last=last)
        ).rowcount
        if not updated:
            conn.execute(LetterCounter.__table__.insert().values(kind=kind, year=year, last=last))


def _plan(rng: random.Random) -> str:
    return rng.choices([e for e, _ in ENDS], weights=[w for _, w in ENDS])[0]


def _steps(rng: random.Random, end: str) -> Iterator[str]:
    """The triggers of a case's planned life, in order."""
    if end == "withdrawn_early":
        yield from [t for t, _, _ in ROAD[: rng.choice((0, 1, 2))]]
        yield "withdraw"
        return
    if end == "withdrawn_late":
        yield from ("start_consultation", "finish_consultation", "submit", "request_correction")
        yield "withdraw"
        return
    road = [t for t, _, _ in ROAD]
    if end == "rejected":
        yield from road[:4]
        yield "reject"
        return
    for trig in road[: STOP_AFTER[end]]:
        yield trig
        # About one application in six is sent back once for correction.
        if trig == "submit" and rng.random() < 0.17:
            yield "request_correction"
            yield "resubmit"


GAPS = {t: days for t, days, _ in ROAD} | {
    "request_correction": (0, 2),
    "resubmit": (3, 25),
    "reject": (5, 18),
    "withdraw": (3, 60),
}
BY = {t: who for t, _, who in ROAD} | {
    "request_correction": "clerk",
    "resubmit": "applicant",
    "reject": "housing",
    "withdraw": "applicant",
}


def _one_case(
    w: dict[str, list[tuple]],
    rng: random.Random,
    cid: int,
    hid: int,
    now: datetime,
    applicants: list[tuple[int, str]],
    staff: dict[str, Any],
    counters: Counter,
    codes: set[str],
    settings: Any,
    cal: WorkCalendar,
    end: str | None = None,
) -> int:
    """Write one case with its households, votes, opinions, letters and events; returns the
    number of households."""
    # More cases in recent years: the programme grew.
    age = rng.randint(300, 360) if end else int(3650 * (1 - rng.random() ** 0.6))
    created = now - timedelta(days=age, minutes=rng.randrange(600))
    created = created.replace(hour=rng.randrange(8, 18))
    applicant_id, applicant_name = rng.choice(applicants)
    floors = rng.randint(4, 12)
    per_floor = 2
    community = rng.choice(COMMUNITIES)
    c: dict[str, Any] = dict.fromkeys(TABLES["cases"])
    c.update(
        id=cid,
        reference=f"JT{created:%Y}{cid:05d}",
        applicant_id=applicant_id,
        community=community,
        street=DISTRICTS[cid % len(DISTRICTS)],
        address=f"枣阳市{rng.choice(STREETS)} {rng.randint(1, 300)} 号",
        building=f"{rng.randint(1, 40)}号楼",
        unit=f"{rng.randint(1, 4)}单元",
        floors=floors,
        state="draft",
        version=1,
        created_at=created,
        estimated_cost_fen=rng.randrange(450_000, 750_000) * 100,
        coefficients="{}",
        deadline_estimated=False,
        review_round=0,
    )
    households = []
    for f in range(1, floors + 1):
        for d in range(1, per_floor + 1):
            households.append(
                {
                    "id": hid + len(households),
                    "room": f"{f}0{d}",
                    "floor": f,
                    "area": Decimal(rng.randrange(5500, 12000)) / 100,
                    "name": _name(rng),
                    "phone": f"13{rng.randrange(10**9):09d}",
                }
            )
    events: list[dict[str, Any]] = []

    def event(kind: str, at: datetime, who: str, frm: str | None, to: str | None, payload: dict):
        if who == "applicant":
            actor, name, role = applicant_id, applicant_name, "applicant"
        elif who == "owner":
            actor, name, role = None, "", "owner"
        else:
            u = staff[who]
            actor, name = u.id, u.name
            role = (
                "clerk" if who == "clerk" else ("lead_approver" if who == "housing" else "approver")
            )
        events.append(
            {
                "chain": f"case:{cid}",
                "seq": len(events) + 1,
                "case_id": cid,
                "actor_id": actor,
                "actor_name": name,
                "actor_role": role,
                "at": at,
                "kind": kind,
                "from_state": frm,
                "to_state": to,
                "payload": payload,
            }
        )

    event("case_created", created, "applicant", None, "draft", {"community": community})
    at = created
    state = "draft"
    end = end or _plan(rng)
    letters_made = []
    for trig in _steps(rng, end):
        lo, hi = GAPS[trig]
        nxt = at + timedelta(days=rng.randint(lo, hi), hours=rng.randint(0, 6))
        if nxt > now:
            break
        at = nxt
        t = TRANSITION[trig]
        frm, state = state, t.dest
        payload: dict[str, Any] = {}
        if trig == "start_consultation":
            c["consultation_started_at"] = at
            # As secrets.token_urlsafe(12) each.
            blob = base64.urlsafe_b64encode(_SECRET.take(12 * len(households))).decode()
            for i, h in enumerate(households):
                h["token"] = blob[16 * i : 16 * i + 16]
        elif trig == "finish_consultation":
            # The votes came in during the consultation, each its own event.
            # A few owners object; the agreement quorum (3/4) still holds.
            objecting = rng.randint(0, len(households) // 8)
            span = (at - c["consultation_started_at"]).total_seconds()
            signed = sorted(
                c["consultation_started_at"] + timedelta(seconds=rng.random() * span)
                for _ in households
            )
            for i, (h, when) in enumerate(zip(households, signed, strict=True)):
                choice = "object" if i >= len(households) - objecting else "agree"
                h["vote"] = (choice, when)
                event("vote", when, "owner", None, None, {"room": h["room"], "choice": choice})
            c.update(
                publicity_start=at,
                publicity_end=at + timedelta(days=settings.publicity_days),
                publicity_place="单元门口公告栏",
            )
        elif trig == "submit" or trig == "resubmit":
            c["submitted_at"] = at
            due = cal.add_workdays(at.date(), settings.acceptance_workdays)
            c["acceptance_due"] = due.due
        elif trig == "accept":
            c["accepted_at"] = at
            c["review_round"] += 1
            c["review_due"] = cal.add_workdays(at.date(), settings.review_workdays).due
        elif trig == "request_correction":
            payload = {"items": [{"document": "design_plan", "text": "设计方案缺少结构安全评估"}]}
        elif trig in ("approve", "reject"):
            for dept in DEPARTMENTS:
                verdict = "disagree" if trig == "reject" and dept == "planning" else "agree"
                given = at - timedelta(hours=rng.randint(2, 48))
                w["opinions"].append(
                    (cid, c["review_round"], dept, verdict, "符合要求" if verdict == "agree" else "占用消防通道", staff[dept].id, given),
                )  # fmt: skip
            c["decided_at"] = at
            if trig == "reject":
                c["decision_reasons"] = payload["reasons"] = "加装方案占用消防通道。"
        elif trig == "start_construction":
            c["contractor"] = "襄阳安居电梯工程有限公司"
            c["construction_start"] = at.date()
        elif trig == "confirm_completion":
            c["completed_at"] = at
            c["registration_number"] = f"梯11鄂F{cid:06d}"
            c["registered_on"] = at.date()
        elif trig == "apply_subsidy":
            c["actual_cost_fen"] = c["estimated_cost_fen"] - rng.randrange(0, 40_000) * 100
            c["payee"] = f"{community}业主委员会"
            payload = {"actual_cost": c["actual_cost_fen"]}
        elif trig == "approve_subsidy":
            tier = 100_000_00 if floors >= 6 else 90_000_00 if floors == 5 else 80_000_00
            c["subsidy_fen"] = min(tier, c["actual_cost_fen"])
        elif trig == "record_payment":
            c["subsidy_paid_on"] = at.date()
            c["payment_voucher"] = f"枣财拨〔{at.year}〕{cid}号"
            payload = {"amount": c["subsidy_fen"], "voucher": c["payment_voucher"]}
        if t.letter:
            letters_made.append((t.letter, at, trig))
            counters[(t.letter, at.year)] += 1
            serial = counters[(t.letter, at.year)]
            number = format_number(settings, t.letter, at.year, serial)
            payload["letters"] = [number]
            code = _verify_code()
            while code in codes:
                code = _verify_code()
            codes.add(code)
            addressee = f"{community}{c['building']}{c['unit']} {households[0]['name']}等业主"
            data = _letter_data(settings, t.letter, number, code, at, addressee, c, households)
            data.update(_letter_facts(t.letter, c, payload))
            data["applicant"]["name"] = applicant_name
            w["letters"].append(
                (cid, t.letter, at.year, serial, number, code, at, addressee, json.dumps(data, ensure_ascii=False), trig),
            )  # fmt: skip
        payload.setdefault("letters", [])
        event(trig, at, BY[trig], frm, state, payload)
        c["version"] += 1
    c["state"] = state
    c["updated_at"] = at
    # Deadlines show only while the case waits where they apply.
    if state != "submitted":
        c["acceptance_due"] = c["acceptance_due"] if state in ("review", "correction") else None
    if state != "review":
        c["review_due"] = None
    for desk in desks_waiting(SimpleNamespace(state=state), settings):
        who = staff.get("clerk" if desk == WINDOW else desk)
        if who is not None and rng.random() < HANDLED:
            w["case_handlers"].append((cid, desk, who.id, min(at + timedelta(hours=2), now), None))
    if c["registered_on"] is not None:
        w["elevators"].append(_elevator(rng, cid, c, now))
    w["cases"].append(tuple(c[k] for k in TABLES["cases"]))
    for pos, h in enumerate(households):
        w["households"].append(
            (h["id"], cid, pos, h["room"], h["floor"], h["area"], h["name"], h["phone"], h.get("token"), 0),
        )  # fmt: skip
        if "vote" in h:
            choice, when = h["vote"]
            w["votes"].append((h["id"], cid, choice, h["name"], when, "online"))
    prev = GENESIS
    for e in events:
        e["prev_hash"] = prev
        e["hash"] = prev = event_digest(SimpleNamespace(**e))
        e["payload"] = _PAYLOAD.encode(e["payload"])
        w["events"].append(tuple(e[k] for k in TABLES["events"]))
    return len(households)


def _elevator(rng: random.Random, cid: int, c: dict[str, Any], now: datetime) -> tuple:
    """The register's row of a completed case: inspected every year since its registration,
    a few days before each anniversary; about one in thirty missed its last one (overdue)."""
    registered = c["registered_on"]
    years = (now.date() - registered).days // 365
    last = None
    if years >= 1:
        last = add_years(registered, years) - timedelta(days=rng.randint(0, 20))
        if years >= 2 and rng.random() < 0.03:
            last = add_years(last, -1)
    due = add_years(last or registered, 1)
    token = base64.urlsafe_b64encode(_SECRET.take(18)).decode()
    return (cid, c["registration_number"], registered, last, due, token)


def _letter_data(
    settings: Settings,
    kind: str,
    number: str,
    code: str,
    at: datetime,
    addressee: str,
    c: dict[str, Any],
    households: list[dict[str, Any]],
) -> dict[str, Any]:
    """What every letter's frozen context holds (`papers.letters.CONTEXT_KEYS`), as
    `letter_context` writes it for a case made through the use cases."""
    return {
        "kind": kind,
        "title": LETTER_KINDS[kind][0],
        "number": number,
        "city": settings.city_name,
        "authority": settings.authority_name,
        "reconsideration_body": settings.reconsideration_body,
        "court": settings.court,
        "issued_on": at.date().isoformat(),
        "addressee": addressee,
        "applicant": {"name": "", "phone_masked": ""},
        "owners": [h["name"] for h in households],
        "case": {
            "reference": c["reference"],
            "community": c["community"],
            "address": c["address"],
            "building": c["building"],
            "unit": c["unit"],
            "floors": c["floors"],
            "households": len(households),
        },
        "verify_code": code,
        "verify_url": verify_url(settings, code),
        "track_url": f"{settings.public_base_url.rstrip('/')}/track",
    }


def _letter_facts(kind: str, c: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """What each kind adds (`papers.letters.KIND_KEYS`)."""
    day = lambda d: d.isoformat() if d else ""  # noqa: E731
    if kind == "acceptance_notice":
        return {"review_deadline": day(c.get("review_due"))}
    if kind == "correction_notice":
        return {"items": [i["text"] for i in payload.get("items", [])]}
    if kind in ("rejection_decision", "not_accepted_decision", "subsidy_return_notice"):
        return {"reasons": payload.get("reasons") or c.get("decision_reasons") or ""}
    if kind == "subsidy_notice":
        return {
            "amount_fen": c["subsidy_fen"] or 0,
            "actual_cost_fen": c["actual_cost_fen"] or 0,
            "estimated_cost_fen": c["estimated_cost_fen"] or 0,
            "cap_fen": c["subsidy_fen"] or 0,
            "payee": c.get("payee") or "",
            "reason": "",
            "registration_number": c.get("registration_number") or "",
        }
    if kind == "review_extension":
        return {"days": c.get("review_extended_days"), "reason": payload.get("reason", ""),
                "review_deadline": day(c.get("review_due"))}  # fmt: skip
    return {}
