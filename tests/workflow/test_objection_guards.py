"""The two guards that keep an objection from being passed over, as units: no database, a case
with its objections in memory. (The journeys through mediation are in test_mediation.py.)"""

from types import SimpleNamespace

import pytest

from workflow.process import guards


def objection(settled_by=None):
    return SimpleNamespace(
        settled_by=settled_by, resolved_at=None if settled_by is None else "2026-12-04T10:00"
    )


def ctx(*objections, weighing=None):
    params = {} if weighing is None else {"weighing": weighing}
    return SimpleNamespace(case=SimpleNamespace(objections=list(objections)), params=params)


@pytest.mark.parametrize(
    ("objections", "open_"),
    [
        ((), 0),
        ((objection("withdrawal"),), 0),  # the objector withdrew, by link or signed paper
        ((objection("mediation"),), 0),  # mediated without agreement: the review weighs it
        ((objection(), objection("withdrawal")), 1),
        ((objection(), objection()), 2),
    ],
)
def test_submit_waits_only_for_objections_neither_withdrawn_nor_mediated(objections, open_):
    found = guards.no_open_objection(ctx(*objections))
    assert [m.zh for m in found] == ([f"还有 {open_} 项异议未处理完毕。"] if open_ else [])


@pytest.mark.parametrize(
    ("objections", "weighing", "refused"),
    [
        ((), None, False),
        ((objection("withdrawal"),), None, False),  # nothing left to weigh
        ((objection("mediation"),), None, True),
        ((objection("mediation"),), "   ", True),  # blank is not a weighing
        ((objection("mediation"),), "经审查，遮光影响在规范允许范围内，不予采纳。", False),
    ],
)
def test_a_decision_after_failed_mediation_must_say_how_the_objection_was_weighed(
    objections, weighing, refused
):
    found = guards.objections_weighed(ctx(*objections, weighing=weighing))
    assert bool(found) is refused
    if refused:
        assert found[0].zh == "有 1 件异议经调解未达成一致，请写明对异议的审查意见。"
