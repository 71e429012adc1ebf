"""Owners prove who they are with name and phone tail; guessing is slowed down."""

import pytest

from workflow import services
from workflow.errors import Conflict, InvalidInput
from workflow.services.owners import MAX_FAILED


def link(rt, people, case_id, n=0):
    return services.signing_links(rt, people.owner.id, case_id)[n]


def test_signing_reports_every_problem_at_once(rt, journey, people):
    case_id = journey.case_in("consultation")
    token = link(rt, people, case_id)["token"]
    with pytest.raises(InvalidInput) as err:
        services.sign(rt, token, owner_name="陈桂兰", phone_tail="9999", choice="", signature="")
    assert {m.code for m in err.value.messages} == {"phone_tail", "choice", "signature"}


def test_guessing_the_phone_tail_pauses_the_checks(rt, journey, people, clock):
    case_id = journey.case_in("consultation")
    first = link(rt, people, case_id)
    for guess in range(MAX_FAILED):
        with pytest.raises(InvalidInput):
            services.sign(rt, first["token"], owner_name="陈桂兰", phone_tail=f"{guess:04d}",
                          choice="agree", signature="陈桂兰")  # fmt: skip
    right = dict(owner_name="陈桂兰", phone_tail="0101", choice="agree", signature="陈桂兰")
    with pytest.raises(Conflict) as err:
        services.sign(rt, first["token"], **right)
    assert "次数过多" in err.value.message
    clock.advance(minutes=31)
    services.sign(rt, first["token"], **right)


def test_a_household_without_a_phone_is_told_to_sign_at_the_window(rt, journey, people):
    from ..journey import application

    data = application()
    data["households"][0]["phone"] = ""
    case_id = services.create_case(rt, people.owner.id, data)
    services.fire(rt, people.owner.id, case_id, "start_consultation")
    token = link(rt, people, case_id)["token"]
    with pytest.raises(InvalidInput) as err:
        services.sign(
            rt, token, owner_name="陈桂兰", phone_tail="", choice="agree", signature="陈桂兰"
        )
    assert "办理窗口" in err.value.message
