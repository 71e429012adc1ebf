"""Read side: what pages and the API show of a case, computed here once for both."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select, tuple_, union, union_all
from sqlalchemy.orm import selectinload

from ..data import ownership, privacy, search_index
from ..data.config import calendar, current_settings
from ..data.models import Case, CaseHandler, Event, Household, Letter, Objection, User
from ..data.runtime import Runtime
from ..data.standins import stood_in_for
from ..errors import InvalidInput, NotFound, msg
from ..papers import documents, facts
from ..process import clocks
from ..process.access import LETTER_NOT_FOUND, actor_of, case_for, case_roles, may_read_letters
from ..process.actions import actions_for
from ..process.context import Context
from ..process.desks import desk_of
from ..process.guards import quorum_of
from ..process.states import STATE, main_path, states_tagged
from ..rules.agents import agent_label
from ..rules.quorum import format_ratio, ratio_str
from ..rules.subsidy import subsidy_cap
from . import residents


@dataclass(frozen=True)
class Deadline:
    due: date
    workdays_left: int
    overdue: bool
    estimated: bool  # computed with weekends only: a year without a holiday calendar

    def as_dict(self) -> dict[str, Any]:
        return {
            "due": self.due.isoformat(),
            "workdays_left": self.workdays_left,
            "overdue": self.overdue,
            "estimated": self.estimated,
        }


def deadline_of(case: Case, cal: Any, today: date) -> Deadline | None:
    attr = STATE[case.state].deadline
    due = getattr(case, attr) if attr else None
    if due is None:
        return None
    left = cal.workdays_between(today, due)
    return Deadline(due, left, left < 0, bool(case.deadline_estimated))


def _ratio(f: Any) -> dict[str, str]:
    return {"fraction": ratio_str(f), "percent": format_ratio(f)}


# Who needs owners' full phone numbers without asking: the applicant, who entered them and
# sends the signing links. A clerk, who calls owners about paper votes, asks (`reveal`) and the
# audit log records it; everyone else sees 138****0001.
REVEAL_ROLES = frozenset({"clerk"})


# Everything the description shows, loaded with the case: a query per collection, not a lazy
# load per collection and another per household for its vote.
DESCRIBE_LOADS = (
    selectinload(Case.households).joinedload(Household.vote),
    selectinload(Case.objections).selectinload(Objection.mediations),
    selectinload(Case.documents),
    selectinload(Case.opinions),
    selectinload(Case.corrections),
    selectinload(Case.pauses),
    selectinload(Case.letters),
    selectinload(Case.supervisors),
    selectinload(Case.problems),
    selectinload(Case.acceptance_opinions),
)


def describe_case(
    rt: Runtime, actor: Any, case_id: int, *, reveal: bool = False, reason: str = ""
) -> dict[str, Any]:
    """The whole case as the actor may see it: facts, quorum, documents, actions, letters.
    A reveal records who saw the full numbers, when, and `reason` (why)."""
    # Only a reveal writes (the audit event): the plain read takes no write transaction.
    shown = _phones_shown(rt, actor, case_id, reveal, reason) if reveal else None
    with rt.db.session() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id, DESCRIBE_LOADS)
        if shown is None:
            shown = _masking(user, case)
        settings = current_settings(s, rt.settings)
        now = rt.clock()
        cal = calendar(s)
        ctx = Context(s, case, user, case_roles(user, case, settings), settings, cal, now, rt.store)
        q = quorum_of(ctx)
        owners = ownership.explain(case)
        st = STATE[case.state]
        staff = user.role != "homeowner"
        dl = deadline_of(case, cal, now.date())
        return {
            "id": case.id,
            "reference": case.reference,
            "state": case.state,
            "state_label": st.label,
            "state_label_en": st.label_en,
            "final": "final" in st.tags,
            "hint": st.hint,
            "hint_en": st.hint_en,
            "version": case.version,
            "editable": "editable" in st.tags,
            # The agent (代办人) driving the case for the unit, if any.
            "agent": {
                "kind": case.agent_kind,
                "name": case.agent_name,
                "label": agent_label(case.agent_kind, case.agent_name),
            },
            "community": case.community,
            "address": case.address,
            "building": case.building,
            "unit": case.unit,
            "street": case.street,
            "floors": case.floors,
            "applicant": {
                "id": case.applicant_id,
                "name": case.applicant.name or "",
                "phone": shown(case.applicant.phone) if staff else None,
            },
            "created_at": case.created_at.isoformat(timespec="minutes"),
            "households": [
                {
                    "id": h.id,
                    "room": h.room,
                    "floor": h.floor,
                    "area": f"{h.area:.2f}",
                    "owner_name": h.owner_name,
                    "phone": shown(h.phone),
                    "id_number_masked": ownership.mask_id_number(h.id_number),
                    "developer_held": bool(h.developer_held),
                    "owner_group": h.owner_group,
                    "vote_stands": bool(h.vote_stands),
                    "vote": (
                        {
                            "choice": h.vote.choice,
                            "signature_name": h.vote.signed_as,
                            "by_proxy": bool(h.vote.proxy_relationship),
                            "signed_at": h.vote.signed_at.isoformat(timespec="minutes"),
                            "channel": h.vote.channel,
                        }
                        if h.vote
                        else None
                    ),
                }
                for h in case.households
            ],
            "quorum": {
                "participation_area": _ratio(q.participation_area),
                "participation_count": _ratio(q.participation_count),
                "agree_area": _ratio(q.agree_area),
                "agree_count": _ratio(q.agree_count),
                "thresholds": {
                    "participation": ratio_str(settings.participation),
                    "agreement": ratio_str(settings.agreement),
                },
                "met": q.met,
                "missing": list(q.missing),
                "missing_en": list(q.missing_en),
                # 法释〔2009〕7号第九条: one person for several flats.
                "households": q.households,
                "owners": q.owners,
                "owners_voted": q.owners_voted,
                "owners_agreed": q.owners_agreed,
                "owners_explained": owners["text"],
                "owners_explained_en": owners["text_en"],
                "conflicts": ownership.conflicts(case, q),
            },
            "costs": costs_of(case, settings),
            "publicity": {
                "start": case.publicity_start.isoformat(timespec="minutes")
                if case.publicity_start
                else None,
                "end": case.publicity_end.isoformat(timespec="minutes")
                if case.publicity_end
                else None,
                "place": case.publicity_place,
                "over": bool(case.publicity_end and now >= case.publicity_end),
            },
            "objections": [
                {
                    "id": o.id,
                    "room": o.household.room if o.household else None,
                    "text": o.text,
                    "channel": o.channel,
                    "lodged_at": o.lodged_at.isoformat(timespec="minutes"),
                    "resolution": o.resolution,
                    "resolved_at": o.resolved_at.isoformat(timespec="minutes")
                    if o.resolved_at
                    else None,
                    "settled_by": o.settled_by,
                    "mediation": _mediation_of(o),
                }
                for o in case.objections
            ],
            "documents": documents.status(case),
            "other_documents": {
                k: {
                    "document_id": d.id,
                    "label": documents.KINDS[k].label,
                    "created_at": d.created_at.isoformat(timespec="minutes"),
                }
                for k, d in documents.current(case).items()
                if k not in documents.FOUR
            },
            "review_round": case.review_round,
            "opinions": [
                {
                    "department": o.department,
                    "department_label": settings.department_label(o.department),
                    "round": o.review_round,
                    "verdict": o.verdict,
                    "comment": o.comment,
                    "given_at": o.given_at.isoformat(timespec="minutes"),
                }
                for o in case.opinions
            ],
            "corrections": [
                {
                    "id": c.id,
                    "items": c.items,
                    "requested_at": c.requested_at.isoformat(timespec="minutes"),
                    "answered_at": c.answered_at.isoformat(timespec="minutes")
                    if c.answered_at
                    else None,
                }
                for c in case.corrections
            ],
            "construction": {
                "contractor": case.contractor,
                "start_date": case.construction_start.isoformat()
                if case.construction_start
                else None,
                "installer_name": case.installer_name,
                "installer_credit_code": case.installer_credit_code,
                "installer_licence": case.installer_licence,
                "registration_number": case.registration_number,
                "planned_completion": _day(case.planned_completion),
            },
            # Who runs the elevator, and its maintenance contract (entered at completion).
            "management_unit": _unit(case.management_unit, shown),
            "running_cost_fen": case.running_cost_fen,
            "maintenance": {
                "company": case.maintenance_company,
                "credit_code": case.maintenance_credit_code,
                "starts_on": _day(case.maintenance_starts_on),
                "ends_on": _day(case.maintenance_ends_on),
            },
            "pauses": clocks.pauses_of(case),
            "review_extended_days": case.review_extended_days,
            "subsidy": {
                "actual_cost_fen": case.actual_cost_fen,
                "payee": case.payee,
                "amount_fen": case.subsidy_fen,
                "reason": case.subsidy_reason,
            },
            "deadline": dl.as_dict() if dl else None,
            "actions": [
                {
                    "trigger": a.trigger,
                    "label": a.label,
                    "label_en": a.label_en,
                    "allowed": a.allowed,
                    "blocked_by": [m.as_dict() for m in a.blocked_by],
                    "fields": [
                        {
                            "name": f.name,
                            "kind": f.kind,
                            "label": f.label,
                            "label_en": f.label_en,
                            "required": f.required,
                        }
                        for f in a.fields
                    ],
                    "confirm": a.confirm,
                }
                for a in actions_for(ctx)
            ],
            "letters": [
                {
                    "id": x.id,
                    "kind": x.kind,
                    "title": x.data.get("title", ""),
                    "number": x.number,
                    "issued_at": x.issued_at.isoformat(timespec="minutes"),
                    "verify_code": x.verify_code,
                    "rendered": x.sha256 is not None,
                }
                for x in case.letters
            ],
            "stepper": stepper(case.state),
            # The residents watch the work and accept it (居民监督、居民不满意不验收).
            "supervisors": list(residents.supervisors_json(case)),
            "problems": [residents.problem_json(p) for p in case.problems],
            "acceptance": residents.acceptance_of(ctx, full=True),
        }


def costs_of(case: Case, settings: Any) -> dict[str, Any]:
    """The estimate, the subsidy expected for the building, and what each household pays of
    the rest (DESIGN §3.2: total cost minus subsidy, by floor coefficient × area)."""
    estimated = case.estimated_cost_fen or 0
    subsidy = subsidy_cap(case.floors, estimated, settings.subsidy_tiers_fen) if estimated else 0
    rule = settings.cost_sharing
    shares = documents.cost_shares(case, subsidy, rule)
    paid = documents.compensation_paid(case, rule)
    return {
        "estimated_cost_fen": case.estimated_cost_fen,
        "subsidy_fen": subsidy,
        "owners_pay_fen": max(estimated - subsidy, 0),
        "coefficients": {str(k): str(v) for k, v in documents.coefficients(case).items()},
        "shares_fen": {str(k): v for k, v in shares.items()},
        "cost_sharing": rule,
        "paying": sorted(str(i) for i in documents.paying(case, rule)),
        # Compensation to the low floors (DESIGN §3.3a), by household id: paid and received.
        "compensation_paid_fen": {str(k): v for k, v in paid.items()},
        "compensation_received_fen": {str(h.id): h.compensation_fen or 0 for h in case.households},
        "compensations": {
            h.room: h.compensation_fen for h in case.households if h.compensation_fen
        },
        "running_cost_fen": case.running_cost_fen,
        "running_shares_fen": {
            str(k): v for k, v in documents.running_cost_shares(case, rule).items()
        },
        # The agreement's own shares (room → parts), or None: the same ratios as the cost.
        "running_cost_shares": dict(case.running_cost_shares) if case.running_cost_shares else None,
    }


def stepper(state: str) -> list[dict[str, Any]]:
    """The progress steps, each done, current or to come."""
    current = STATE[state].step
    return [
        {
            "state": s.name,
            "label": s.label,
            "label_en": s.label_en,
            "status": "done" if s.step < current else "current" if s.step == current else "todo",
        }
        for s in main_path()
    ]


def _mediation_of(o: Any) -> dict[str, Any] | None:
    """The objection's latest mediation: open, or its outcome and 调解意见书."""
    if not o.mediations:
        return None
    m = o.mediations[-1]
    return {
        "id": m.id,
        "state": "open" if m.concluded_at is None else "agreed" if m.agreed else "not_agreed",
        "document_id": m.document_id,
    }


def history(rt: Runtime, actor: Any, case_id: int) -> list[dict[str, Any]]:
    """Who did what and when; to homeowners, staff appear as their department."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        settings = current_settings(s, rt.settings)
        rows = s.execute(
            select(Event, User)
            .outerjoin(User, Event.actor_id == User.id)
            .where(Event.chain == f"case:{case.id}")
            .order_by(Event.seq)
        ).all()
        out = []
        for e, u in rows:
            who = e.actor_name
            if user.role == "homeowner" and u is not None and u.role in ("clerk", "approver"):
                who = settings.department_label(u.department) if u.department else "窗口"
            if e.actor_id is None:
                who = "业主（签字链接）" if e.actor_role == "owner" else "系统"
            out.append(
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(timespec="minutes"),
                    "kind": e.kind,
                    "who": who,
                    "role": e.actor_role,
                    "from": e.from_state,
                    "to": e.to_state,
                    "from_label": STATE[e.from_state].label if e.from_state else None,
                    "to_label": STATE[e.to_state].label if e.to_state else None,
                    "payload": e.payload,
                }
            )
        return out


def visible_cases(actor: User) -> Select:
    q = select(Case)
    if actor.role == "homeowner":
        q = q.where(Case.applicant_id == actor.id)
    return q


def encode_cursor(updated_at: datetime, case_id: int) -> str:
    """A position in a list ordered by (updated_at, id), opaque to clients."""
    raw = f"{updated_at.isoformat(timespec='microseconds')}~{case_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, case_id = raw.partition("~")
        return datetime.fromisoformat(at), int(case_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            msg(
                "cursor", "分页位置无效，请从第一页开始。", "Bad cursor; start from the first page."
            )
        ) from exc


_counts: dict[Any, tuple[Any, int]] = {}


def log_position(s: Any) -> int | None:
    """The newest audit event's id: every change of a case appends one, so a figure computed
    from the cases stays true while this has not moved (one index lookup)."""
    return s.scalar(select(func.max(Event.id)))


def _count(s: Any, rt: Runtime, query: Select, key: tuple, position: int | None) -> int:
    """How many rows `query` (a count) finds; counting thousands of index entries on every page
    of a queue cost more than the page, so the count is kept until the audit log grows.
    `position`: the log's (`log_position`), read with the page; a count made after it may
    include a later change, and is made again when the position is seen to move."""
    key = (rt.db.url, id(rt.db), *key)
    hit = _counts.get(key)
    if hit is not None and hit[0] == position:
        return hit[1]
    total = s.scalar(query) or 0
    if len(_counts) > 1000:
        _counts.clear()
    _counts[key] = (position, total)
    return total


def search_matches(keys: Select, q: str, fts: bool = False) -> Select:
    """The rows of `keys` (a select of Case columns, already filtered) whose reference, address
    or community, or an owner's name or phone, contain `q`.

    A union with one branch per table, so that each LIKE can use its own trigram index on
    PostgreSQL (see the migration) and the owners' branch reads only the matching households;
    on SQLite the same query reads the tables. Each branch carries the columns the list is
    ordered by, so a page is sorted from the matches alone, without a second pass over all
    cases. Trigrams need three characters: a shorter query (a two-character name such as 王伟,
    a community such as 翠湖) matches the start of an owner's or a community's name, through
    plain indexes. Phones hold digits only, so they are searched only for a query that could be
    (part of) one. `fts`: the SQLite database has its trigram indexes (`search_index`), which
    answer the same question without reading the tables.
    """
    q = q.strip()
    owners = keys.join(Household, Household.case_id == Case.id)
    if len(q) < 3:
        prefix = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return union(
            keys.where(Case.community.like(prefix, escape="\\")),
            owners.where(Household.owner_name.like(prefix, escape="\\")),
        )
    phones = any(ch.isdigit() for ch in q) and all(ch.isdigit() or ch in "+- " for ch in q)
    if fts:
        columns = ("owner_name", "phone") if phones else ("owner_name",)
        return union(
            keys.where(Case.id.in_(search_index.rows_containing("cases_search", q))),
            owners.where(
                Household.id.in_(search_index.rows_containing("households_search", q, columns))
            ),
        )
    like = f"%{q}%"
    parts = [
        keys.where(
            or_(Case.reference.like(like), Case.address.like(like), Case.community.like(like))
        ),
        owners.where(Household.owner_name.like(like)),
    ]
    if phones:
        parts.append(owners.where(Household.phone.like(like)))
    return union(*parts)


def list_cases(
    rt: Runtime,
    actor: Any,
    *,
    state: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    community: str | None = None,
    page: int = 1,
    per_page: int = 20,
    after: str | None = None,
    before: str | None = None,
    handler: str | None = None,
    due: str | None = None,
    street: str | None = None,
) -> dict[str, Any]:
    """The cases the actor may see, oldest first for staff, newest first for homeowners.

    `handler`: "me" (the actor's cases, and those of anyone they stand in for), "none" (no
    handler at the actor's desk), or a username; `due`: "soon" (within 2 working days) or
    "overdue"; `street`: the 街道.

    Pages follow each other by keyset: `next_cursor` (pass it as `after`) and `prev_cursor`
    (as `before`) continue from the last or first row shown, so page 50 costs what page 1 does.
    `page` alone still pages by offset, for old links.
    """
    with rt.db.session() as s:
        user = actor_of(s, actor)
        today = rt.clock().date()
        # Every condition but the state's; the states the list may hold apart (None: any).
        scoped = visible_cases(user)
        if community:
            scoped = scoped.where(Case.community == community)
        if street:
            scoped = scoped.where(Case.street == street)
        if handler:
            scoped = scoped.where(handled_by(s, user, handler, today))
        states = listed_states(state, tag, due)
        if due in DUE_FILTERS:
            scoped = scoped.where(_due(due, calendar(s), today))
        query = scoped if states is None else scoped.where(Case.state.in_(states))
        # The page is chosen by id and position alone, then only its rows are loaded: sorting
        # whole rows (and their applicants) of every match cost more than the search itself.
        keys = query.with_only_columns(Case.id, Case.updated_at)
        searching = bool(q and q.strip())
        if searching:
            keys = search_matches(keys, q, search_index.available(s))
        found = keys.subquery("found")
        newest_first = user.role == "homeowner"
        page = min(max(1, page), 100_000)
        backwards = before is not None and after is None
        cursor = after if after is not None else before
        after_key = decode_cursor(cursor) if cursor is not None else None
        # Forwards means "later in the list's order"; backwards reverses it and the rows.
        later = newest_first == backwards
        ascending = newest_first == backwards
        skip = 0 if cursor is not None else (page - 1) * per_page
        if states is not None and not searching:
            picked = _by_state(scoped, states, after_key, later, ascending, per_page + 1, skip)
        else:
            key = tuple_(found.c.updated_at, found.c.id)
            chosen = select(found.c.id)
            if after_key is not None:  # typed by the columns it is compared with
                chosen = chosen.where(key > after_key if later else key < after_key)
            order = [found.c.updated_at, found.c.id]
            chosen = chosen.order_by(*(o.asc() if ascending else o.desc() for o in order))
            picked = chosen.limit(per_page + 1).offset(skip).subquery("picked")
        by = (Case.updated_at, Case.id)
        # The log's position comes with the page (one round trip less): the count is kept
        # while it stays.
        position = select(func.max(Event.id)).scalar_subquery()
        # The columns a list shows, not whole cases with their applicants.
        loaded = s.execute(
            select(*LISTED, position)
            .join(picked, picked.c.id == Case.id)
            .order_by(*(o.asc() if ascending else o.desc() for o in by))
        ).all()
        rows = list(loaded)
        total = _count(
            s,
            rt,
            select(func.count()).select_from(found),
            (
                user.id if user.role == "homeowner" or handler else None,
                state,
                tag,
                community,
                q,
                street,
                handler,
                due,
                today if due or handler else None,
            ),  # fmt: skip
            loaded[0][-1] if loaded else log_position(s),
        )
        more = len(rows) > per_page
        rows = rows[:per_page]
        if backwards:
            rows.reverse()
        cal = calendar(s)
        names = handler_names(s, [c.id for c in rows])
        items = []
        for c in rows:
            st = STATE[c.state]
            dl = deadline_of(c, cal, today)
            items.append(
                {
                    "id": c.id,
                    "reference": c.reference,
                    "state": c.state,
                    "state_label": st.label,
                    "state_label_en": st.label_en,
                    "community": c.community,
                    "address": c.address,
                    "building": c.building,
                    "unit": c.unit,
                    "hint": st.hint,
                    "hint_en": st.hint_en,
                    "updated_at": c.updated_at.isoformat(timespec="minutes"),
                    "version": c.version,
                    "deadline": dl.as_dict() if dl else None,
                    "handlers": names.get(c.id, []),
                }
            )
        has_next = (more if not backwards else True) and bool(rows)
        has_prev = (more if backwards else (cursor is not None or page > 1)) and bool(rows)
        return {
            "items": items,
            "page": page,
            "per_page": per_page,
            "total": total,
            "pages": max(1, -(-total // per_page)),
            "next_cursor": encode_cursor(rows[-1].updated_at, rows[-1].id) if has_next else None,
            "prev_cursor": encode_cursor(rows[0].updated_at, rows[0].id) if has_prev else None,
        }


def listed_states(state: str | None, tag: str | None, due: str | None) -> list[str] | None:
    """The states a list may hold, from its state, tag and deadline filters; None: any."""
    states: list[str] | None = None
    for allowed in (
        [state] if state else None,
        list(states_tagged(tag)) if tag else None,
        [st for names in _TIMED.values() for st in names] if due in DUE_FILTERS else None,
    ):
        if allowed is not None:
            states = allowed if states is None else [st for st in states if st in allowed]
    return states


def _by_state(
    scoped: Select,
    states: list[str],
    position: tuple[datetime, int] | None,
    later: bool,
    ascending: bool,
    n: int,
    skip: int,
) -> Any:
    """The ids of one page of a list of a few states, as a subquery.

    One branch per state, each read in order from the (state, updated_at, id) index and cut at
    the page's length, then merged: `state IN (…) ORDER BY updated_at` read the (updated_at, id)
    index and skipped every case in another state (most of 100,000 for the review queue) or
    sorted every match, as the planner guessed; a branch reads no more than it shows."""
    key = tuple_(Case.updated_at, Case.id)

    def branch(st: str) -> Select:
        b = scoped.with_only_columns(Case.id, Case.updated_at).where(Case.state == st)
        if position is not None:
            b = b.where(key > position if later else key < position)
        b = b.order_by(*(o.asc() if ascending else o.desc() for o in (Case.updated_at, Case.id)))
        # Wrapped: SQLite allows no ORDER BY or LIMIT inside a compound SELECT's members.
        return select(b.limit(n + skip).subquery().c)

    if not states:
        return select(Case.id).where(false()).subquery("picked")
    merged = union_all(*(branch(st) for st in states)).subquery("merged")
    order = (merged.c.updated_at, merged.c.id)
    return (
        select(merged.c.id)
        .order_by(*(o.asc() if ascending else o.desc() for o in order))
        .limit(n)
        .offset(skip)
        .subquery("picked")
    )


DUE_FILTERS = ("soon", "overdue")
# What a list shows of each case (with `deadline_of`'s columns).
LISTED = (
    Case.id, Case.reference, Case.state, Case.community, Case.address, Case.building,
    Case.unit, Case.updated_at, Case.version, Case.deadline_estimated,
    *(getattr(Case, a) for a in sorted({st.deadline for st in STATE.values() if st.deadline})),
)  # fmt: skip
# The clocks a queue filters by: each timed state's deadline column.
_TIMED = {
    attr: [st.name for st in STATE.values() if st.deadline == attr]
    for attr in {st.deadline for st in STATE.values() if st.deadline}
}


def _due(due: str, cal: Any, today: date) -> Any:
    soon = cal.add_workdays(today, 2).due
    parts = []
    for attr, names in _TIMED.items():
        column = getattr(Case, attr)
        window = column < today if due == "overdue" else column.between(today, soon)
        parts.append(and_(Case.state.in_(names), window))
    return or_(*parts)


def handled_by(s: Any, user: User, handler: str, today: date) -> Any:
    """The condition on Case for the `handler` filter (see `list_cases`)."""
    if handler == "none":
        desk = desk_of(user)
        taken = select(CaseHandler.case_id).where(CaseHandler.case_id == Case.id)
        if desk is not None:
            taken = taken.where(CaseHandler.desk == desk)
        return ~taken.exists()
    if handler == "me":
        ids = [user.id, *(u.id for u in stood_in_for(s, user.id, today))]
        return (
            select(CaseHandler.case_id)
            .where(CaseHandler.case_id == Case.id, CaseHandler.user_id.in_(ids))
            .exists()
        )
    return (
        select(CaseHandler.case_id)
        .join(User, User.id == CaseHandler.user_id)
        .where(CaseHandler.case_id == Case.id, User.username == handler)
        .exists()
    )


def handler_names(s: Any, case_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    """Each case's named handlers, desk by desk."""
    out: dict[int, list[dict[str, str]]] = {}
    if not case_ids:
        return out
    rows = s.execute(
        select(CaseHandler.case_id, CaseHandler.desk, User.username, User.name)
        .join(User, User.id == CaseHandler.user_id)
        .where(CaseHandler.case_id.in_(case_ids))
        .order_by(CaseHandler.case_id, CaseHandler.desk)
    )
    for case_id, desk, username, name in rows:
        out.setdefault(case_id, []).append({"desk": desk, "username": username, "name": name})
    return out


def letter_for(rt: Runtime, actor: Any, letter_id: int) -> Letter:
    """A letter for download: only the case's applicant and staff."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        letter = s.get(Letter, letter_id) if 0 < letter_id < 2**31 else None
        if letter is None or not may_read_letters(user, s.get(Case, letter.case_id)):
            raise NotFound(LETTER_NOT_FOUND)
        return letter


def document_preview(rt: Runtime, actor: Any, case_id: int, kind: str) -> dict[str, Any]:
    """A generated document as it would be frozen if the case were submitted now."""
    if kind not in documents.GENERATED:
        raise NotFound(msg("document_kind", "该材料不是系统生成的。", "Not a generated document."))
    with rt.db.session() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        if not (case.applicant_id == user.id or user.is_staff):
            raise NotFound(msg("case_not_found", "未找到该案件。", "No such case."))
        settings = current_settings(s, rt.settings)
        return documents.document_context(case, kind, settings, rt.clock().date().isoformat())


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _unit(unit: dict[str, Any] | None, shown: Any) -> dict[str, Any] | None:
    if not unit:
        return None
    return {**unit, "phone": shown(unit.get("phone"))}


def _masking(user: User, case: Case):
    """Phone numbers in full for the applicant, who entered them; masked for everyone else."""
    if user.id == case.applicant_id:
        return lambda phone: phone
    return lambda phone: facts.mask_phone(phone) if phone else phone


def _phones_shown(rt: Runtime, actor: Any, case_id: int, reveal: bool, reason: str = ""):
    """How phone numbers appear to this actor on this case: in full or masked. A clerk's
    reveal is recorded in the case's audit chain (who, when) before anything is shown."""
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        if user.id == case.applicant_id or not (reveal and user.role in REVEAL_ROLES):
            return _masking(user, case)
        privacy.record_view(s, user, case, ["phone"], reason, rt.clock())
    return lambda phone: phone
