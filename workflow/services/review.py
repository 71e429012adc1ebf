"""Department opinions in the joint review: one per department per review round."""

from __future__ import annotations

from ..data import audit
from ..data.config import current_settings
from ..data.models import Opinion, User
from ..data.runtime import Runtime
from ..errors import Conflict, Forbidden, InvalidInput, msg
from ..process.access import actor_of, case_for, require_role
from ..process.states import STATE
from .consent import _no_conflict

VERDICTS = {"agree": "同意", "disagree": "不同意"}


def give_opinion(
    rt: Runtime, actor: User | int, case_id: int, *, verdict: str, comment: str = ""
) -> int:
    if verdict not in VERDICTS:
        raise InvalidInput(msg("verdict", "请选择同意或不同意。", "Choose agree or disagree."))
    comment = (comment or "").strip()[:4000]
    if verdict == "disagree" and not comment:
        raise InvalidInput(msg("comment", "不同意时请说明理由。", "Explain a disagreement."))
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        require_role(user, "approver")
        case = case_for(s, user, case_id)
        _no_conflict(user, case)
        settings = current_settings(s, rt.settings)
        if user.department not in settings.required_departments:
            raise Forbidden(
                msg(
                    "department",
                    "您所在部门不参与本案联合审查。",
                    "Your department does not review.",
                )
            )
        if "opinions" not in STATE[case.state].tags:
            raise Conflict(
                msg("state", "案件不在联合审查阶段。", "The case is not under joint review.")
            )
        if any(
            o.department == user.department and o.review_round == case.review_round
            for o in case.opinions
        ):
            raise Conflict(
                msg(
                    "opinion_given",
                    "本部门在本轮审查中已出具意见。",
                    "Your department has already given its opinion in this round.",
                )
            )
        now = rt.clock()
        o = Opinion(
            case_id=case.id,
            review_round=case.review_round,
            department=user.department,
            verdict=verdict,
            comment=comment,
            user_id=user.id,
            given_at=now,
        )
        s.add(o)
        case.opinions.append(o)
        s.flush()
        audit.append(
            s,
            kind="opinion",
            at=now,
            actor=user,
            role="approver",
            case=case,
            payload={
                "department": user.department,
                "round": case.review_round,
                "verdict": verdict,
                "comment": comment,
            },
        )
        return o.id
