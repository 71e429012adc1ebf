"""Progress for the public (办件查询): a case's reference and the last four digits of the
applicant's phone show where it stands, without names or addresses (DESIGN §1, §7 `/track`).

Four digits can be guessed: the web layer throttles lookups per client address; here every
failure answers the same "not found", so a wrong tail does not reveal that a reference exists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from ..data.config import calendar, current_settings
from ..data.models import Case, Event
from ..data.runtime import Runtime
from ..errors import InvalidInput, NotFound, msg
from ..process import clocks
from ..process.machine import TRANSITION
from ..process.states import STATE, main_path
from .cases import deadline_of

TRACK_NOT_FOUND = msg(
    "track_not_found",
    "未查到该办件：请核对案件编号和申请人手机号后四位。",
    "No case matches this reference and phone tail.",
)


def _inputs(reference: str, phone_tail: str) -> tuple[str, str]:
    ref = (reference or "").strip().upper()
    tail = (phone_tail or "").strip()
    problems = []
    if not ref or len(ref) > 32:
        problems.append(msg("reference", "请填写案件编号。", "Give the case reference."))
    if len(tail) != 4 or not tail.isdigit():
        problems.append(
            msg("phone_tail", "请填写申请人手机号后四位数字。", "Give the phone's last 4 digits.")
        )
    if problems:
        raise InvalidInput(*problems)
    return ref, tail


def _awaited(case: Case, settings: Any) -> tuple[str, str]:
    """Who the case waits on, in plain words: a desk, departments, or the applicant."""
    st = STATE[case.state]
    if "final" in st.tags:
        return "办理已结束。", "The case is closed."
    if "opinions" in st.tags:
        given = {o.department for o in case.opinions if o.review_round == case.review_round}
        missing = [d for d in settings.required_departments if d not in given]
        if missing:
            names = "、".join(settings.department_label(d) for d in missing)
            return (
                f"等待{names}部门出具审查意见。",
                f"Waiting for opinions from: {', '.join(missing)}.",
            )
        lead = settings.department_label(settings.lead_department)
        return f"各部门意见已齐，等待{lead}部门作出决定。", "Waiting for the decision."
    if "review" in st.tags:
        return "等待主管部门审核。", "Waiting for the lead department's review."
    if "window" in st.tags and "applicant" not in st.tags:
        return "等待办理窗口办理。", "Waiting for the service window."
    return f"等待申请人：{st.hint}", f"Waiting for the applicant: {st.hint_en}"


def _stepper(case: Case, events: list[Event]) -> list[dict[str, Any]]:
    """The main steps with the day each was (last) reached and the pauses of its clock."""
    current = STATE[case.state].step
    reached: dict[int, date] = {}
    for e in events:
        if e.to_state:
            reached[STATE[e.to_state].step] = e.at.date()
    pauses = clocks.pauses_of(case)
    out = []
    for s in main_path():
        clock = clocks.clock_of(s.name)
        out.append(
            {
                "state": s.name,
                "label": s.label,
                "label_en": s.label_en,
                "status": "done"
                if s.step < current
                else "current"
                if s.step == current
                else "todo",
                "date": reached[s.step].isoformat()
                if s.step in reached and s.step <= current
                else None,
                "pauses": [p for p in pauses if p["clock"] == clock] if clock else [],
            }
        )
    return out


def track(rt: Runtime, reference: str, phone_tail: str) -> dict[str, Any]:
    """What anyone holding the reference and the applicant's phone tail may see."""
    ref, tail = _inputs(reference, phone_tail)
    with rt.db.session() as s:
        case = s.scalar(select(Case).where(Case.reference == ref))
        phone = (case.applicant.phone or case.applicant.username or "") if case else ""
        if case is None or not phone.endswith(tail) or len(phone) < 4:
            raise NotFound(TRACK_NOT_FOUND)
        settings = current_settings(s, rt.settings)
        today = rt.clock().date()
        events = list(
            s.scalars(select(Event).where(Event.chain == f"case:{case.id}").order_by(Event.seq))
        )
        st = STATE[case.state]
        dl = deadline_of(case, calendar(s), today)
        open_pause = next((p for p in clocks.pauses_of(case) if not p["resumed_on"]), None)
        awaited, awaited_en = _awaited(case, settings)
        return {
            "reference": case.reference,
            "state": case.state,
            "state_label": st.label,
            "state_label_en": st.label_en,
            "final": "final" in st.tags,
            "awaited": awaited,
            "awaited_en": awaited_en,
            "stepper": _stepper(case, events),
            "dates": [
                {
                    "date": e.at.date().isoformat(),
                    "trigger": e.kind,
                    "label": TRANSITION[e.kind].label,
                    "label_en": TRANSITION[e.kind].label_en,
                    "state_label": STATE[e.to_state].label if e.to_state else "",
                    "state_label_en": STATE[e.to_state].label_en if e.to_state else "",
                }
                for e in events
                if e.kind in TRANSITION
            ],
            "deadline": dl.as_dict() if dl else None,
            # While the applicant corrects, the clock stands still with these days kept.
            "paused": open_pause if case.state == "correction" else None,
            "review_extended_days": case.review_extended_days,
        }
