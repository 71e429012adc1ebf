"""The floor for the HTTP benchmark: a bare Flask + SQLAlchemy Core app that reads and writes
the same rows as the engine's verification page and its correction transitions — no machine,
no guards, no ORM units of work, no blueprints, sessions, CSRF or Babel.

Served by gunicorn from `python -m bench` (`bench.bare:app`, DATABASE_URL from the environment).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from datetime import datetime

from flask import Flask, abort, jsonify, render_template_string, request
from sqlalchemy import create_engine, insert, select, update

from workflow.data.models import (
    ApiToken,
    Case,
    Correction,
    Event,
    Household,
    Letter,
    LetterCounter,
    User,
)

app = Flask(__name__)
URL = os.environ["DATABASE_URL"]
engine = create_engine(
    URL,
    pool_pre_ping=True,
    **({} if not URL.startswith("sqlite") else {"connect_args": {"timeout": 10}}),
)

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ number }}</title></head>
<body><h1>{{ title }}</h1><dl><dt>文号</dt><dd>{{ number }}</dd><dt>案件</dt><dd>{{ reference }}</dd>
<dt>日期</dt><dd>{{ issued }}</dd><dt>收件人</dt><dd>{{ addressee }}</dd></dl></body></html>"""

CASES, LETTERS, EVENTS = Case.__table__, Letter.__table__, Event.__table__


@app.get("/bare/verify/<code>")
def verify(code: str):
    with engine.connect() as c:
        letter = (
            c.execute(select(LETTERS).where(LETTERS.c.verify_code == code.upper()))
            .mappings()
            .first()
        )
        if letter is None:
            abort(404)
        case = c.execute(select(CASES).where(CASES.c.id == letter["case_id"])).mappings().first()
    return render_template_string(
        PAGE,
        title=letter["kind"],
        number=letter["number"],
        reference=case["reference"],
        issued=letter["issued_at"].date().isoformat(),
        addressee=letter["addressee"],
    )


@app.post("/bare/cases/<int:case_id>/<trigger>")
def fire(case_id: int, trigger: str):
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    now = datetime.now()
    with engine.begin() as c:
        user = (
            c.execute(
                select(User.__table__)
                .join(ApiToken.__table__, ApiToken.user_id == User.id)
                .where(ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest())
            )
            .mappings()
            .first()
        )
        if user is None:
            abort(401)
        case = c.execute(select(CASES).where(CASES.c.id == case_id)).mappings().first()
        households = (
            c.execute(select(Household.__table__).where(Household.case_id == case_id))
            .mappings()
            .all()
        )
        target = {"request_correction": "correction", "resubmit": "submitted"}[trigger]
        done = c.execute(
            update(CASES)
            .where(CASES.c.id == case_id, CASES.c.version == case["version"])
            .values(state=target, version=case["version"] + 1, updated_at=now)
        ).rowcount
        if done != 1:
            abort(409)
        numbers = []
        if trigger == "request_correction":
            c.execute(
                update(LetterCounter.__table__)
                .where(LetterCounter.kind == "correction_notice", LetterCounter.year == now.year)
                .values(last=LetterCounter.last + 1)
            )
            serial = c.execute(
                select(LetterCounter.last).where(
                    LetterCounter.kind == "correction_notice", LetterCounter.year == now.year
                )
            ).scalar_one()
            number = f"bare〔{now.year}〕{serial}号"
            c.execute(insert(LETTERS).values(
                case_id=case_id, kind="correction_notice", year=now.year, serial=serial,
                number=number, verify_code=secrets.token_hex(6).upper(), issued_at=now,
                addressee=case["community"], trigger=trigger,
                data={"households": [dict(h, area=str(h["area"])) for h in households], "items": ["补充说明"]},
            ))  # fmt: skip
            c.execute(insert(Correction.__table__).values(case_id=case_id, items=[{"document": None, "text": "补充说明"}], requested_by_id=user["id"], requested_at=now, from_state=case["state"]))  # fmt: skip
            numbers.append(number)
        else:
            c.execute(update(Correction.__table__).where(Correction.case_id == case_id, Correction.answered_at.is_(None)).values(answered_at=now))  # fmt: skip
        chain = f"case:{case_id}"
        last = c.execute(select(Event.seq, Event.hash).where(Event.chain == chain).order_by(Event.seq.desc()).limit(1)).first()  # fmt: skip
        payload = {"letters": numbers}
        digest = hashlib.sha256(
            json.dumps([chain, last[0] + 1, last[1], trigger, payload]).encode()
        ).hexdigest()
        c.execute(insert(EVENTS).values(
            chain=chain, seq=last[0] + 1, case_id=case_id, actor_id=user["id"], actor_name=user["username"],
            actor_role=user["role"], at=now, kind=trigger, from_state=case["state"], to_state=target,
            payload=payload, prev_hash=last[1], hash=digest,
        ))  # fmt: skip
    return jsonify(id=case_id, state=target, version=case["version"] + 1)
