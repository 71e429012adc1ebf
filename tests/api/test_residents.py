"""The residents through the API: representatives, problems with photos, the acceptance round
and the clerk's confirmation refused while the residents are not satisfied."""

from __future__ import annotations

import io

from PIL import Image

from ..journey import COMPLETION, INSTALLER, pdf_bytes
from .conftest import assert_error


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (90, 90, 90)).save(out, format="JPEG")
    return out.getvalue()


def test_representatives_named_and_accepted_before_construction(api, app, app_journey):
    case_id = app_journey.case_in("approved")
    tokens = app_journey.tokens(case_id)
    r = api.put(f"/cases/{case_id}/supervisors", "owner", json={"rooms": ["501", "601", "301"]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["supervisors"] == [
        {"room": "501", "name": "吴**", "accepted": False},
        {"room": "601", "name": "郑*", "accepted": False},
        {"room": "301", "name": "李**", "accepted": False},
    ]
    assert_error(api.put(f"/cases/{case_id}/supervisors", "clerk", json={"rooms": ["501"]}), 403)
    for room in ("501", "601"):
        r = api.post(f"/sign/{tokens[room]}/supervisor", json={"accept": True})
        assert r.status_code == 200 and r.get_json()["representative"] == "accepted"
    r = api.post(f"/cases/{case_id}/supervisors/paper", "clerk", json={"room": "301"})
    assert all(x["accepted"] for x in r.get_json()["supervisors"])
    api.put(f"/cases/{case_id}/documents/installation_notice", "owner",
            data={"file": (io.BytesIO(pdf_bytes()), "n.pdf")})  # fmt: skip
    r = api.fire(case_id, "start_construction", "owner", json=INSTALLER)
    assert r.status_code == 200, r.get_json()


def test_a_problem_with_a_photo_blocks_confirmation_until_closed(api, app_journey):
    case_id = app_journey.case_in("acceptance")
    tokens = app_journey.tokens(case_id)
    r = api.post(
        f"/sign/{tokens['401']}/problems",
        data={"text": "候梯厅地砖开裂", "photos": [(io.BytesIO(jpeg()), "a.jpg")]},
    )
    assert r.status_code == 201, r.get_json()
    [problem] = api.get(f"/cases/{case_id}/problems", "clerk").get_json()["problems"]
    assert (problem["room"], problem["open"], problem["photos"]) == ("401", True, [1])
    pic = api.get(f"/cases/{case_id}/problems/{problem['id']}/photos/1", "owner")
    assert pic.status_code == 200 and pic.mimetype == "image/jpeg"
    assert (
        api.get(f"/cases/{case_id}/problems/{problem['id']}/photos/1", "neighbour").status_code
        == 404
    )

    for token in tokens.values():
        r = api.post(f"/sign/{token}/acceptance", json={"opinion": "satisfied"})
        assert r.status_code == 200, r.get_json()
    acceptance = api.case(case_id, "clerk")["acceptance"]
    assert acceptance["counts"]["satisfied"] == 6 and acceptance["open_problems"] == 1
    assert acceptance["ready"] is False

    r = api.fire(case_id, "confirm_completion", "clerk")
    assert_error(r, 422)
    assert r.get_json()["details"][0]["message"] == "401 室反映的问题尚未解决：候梯厅地砖开裂"

    r = api.post(
        f"/cases/{case_id}/problems/{problem['id']}/answer", "owner", json={"text": "已更换"}
    )
    assert r.status_code == 200
    assert_error(
        api.post(f"/sign/{tokens['601']}/problems/{problem['id']}/close", json={"solved": True}),
        403,
    )
    assert_error(
        api.post(f"/sign/{tokens['401']}/problems/{problem['id']}/close", json={"solved": False}),
        400,
    )
    r = api.post(f"/sign/{tokens['401']}/problems/{problem['id']}/close", json={"solved": True})
    assert r.status_code == 200
    assert api.case(case_id, "clerk")["acceptance"]["ready"] is True
    r = api.fire(case_id, "confirm_completion", "clerk")
    assert r.status_code == 200 and r.get_json()["state"] == "completed"


def test_dissatisfied_needs_a_reason_and_an_answer(api, app_journey):
    case_id = app_journey.case_in("acceptance")
    tokens = app_journey.tokens(case_id)
    assert_error(
        api.post(f"/sign/{tokens['601']}/acceptance", json={"opinion": "dissatisfied"}), 400
    )
    assert_error(api.post(f"/sign/{tokens['601']}/acceptance", json={"opinion": "happy"}), 400)
    app_journey.residents_satisfied(case_id)
    r = api.post(
        f"/sign/{tokens['601']}/acceptance", json={"opinion": "dissatisfied", "reason": "噪音大"}
    )
    assert r.get_json()["opinion"] == "dissatisfied"
    assert_error(api.fire(case_id, "confirm_completion", "clerk"), 422)
    r = api.post(f"/cases/{case_id}/acceptance/answers", "owner",
                 json={"room": "601", "text": "已加装减震垫"})  # fmt: skip
    assert r.status_code == 200
    [opinion] = [o for o in r.get_json()["acceptance"]["opinions"] if o["room"] == "601"]
    assert opinion["answer"] == "已加装减震垫"
    assert api.fire(case_id, "confirm_completion", "clerk").status_code == 200


def test_problems_only_while_building(api, app_journey):
    case_id = app_journey.case_in("approved")
    token = app_journey.tokens(case_id)["401"]
    assert_error(api.post(f"/sign/{token}/problems", json={"text": "太早"}), 409)
    assert_error(api.post("/sign/nope/problems", json={"text": "x"}), 404)


def test_the_answer_to_a_problem_may_carry_photos_as_multipart(api, app_journey):
    case_id = app_journey.case_in("construction")
    token = app_journey.tokens(case_id)["401"]
    r = api.post(f"/sign/{token}/problems", json={"text": "井道渗水"})
    assert r.status_code == 201, r.get_json()
    [problem] = api.get(f"/cases/{case_id}/problems", "owner").get_json()["problems"]
    path = f"/cases/{case_id}/problems/{problem['id']}/answer"
    r = api.post(
        path, "owner",
        data={"text": "已做防水处理", "photos": [(io.BytesIO(jpeg()), "a.jpg"),
                                                 (io.BytesIO(jpeg()), "b.jpg")]},
    )  # fmt: skip
    assert r.status_code == 200, r.get_json()
    [problem] = api.get(f"/cases/{case_id}/problems", "clerk").get_json()["problems"]
    [answer] = problem["replies"]
    assert (answer["kind"], answer["text"], answer["photos"]) == ("answer", "已做防水处理", [1, 2])
    pic = api.get(f"/cases/{case_id}/problems/{problem['id']}/photos/2", "clerk")
    assert pic.status_code == 200 and pic.mimetype == "image/jpeg"
    # Not an image: refused by content, whatever the name says; text alone is still required.
    not_a_photo = {"text": "再答复", "photos": [(io.BytesIO(b"%PDF-1.4 x"), "c.jpg")]}
    assert_error(api.post(path, "owner", data=not_a_photo), 415)
    assert_error(api.post(path, "owner", data={"photos": [(io.BytesIO(jpeg()), "d.jpg")]}), 400)
    # The JSON form goes on working, and only the applicant (or agent) answers.
    assert api.post(path, "owner", json={"text": "补充说明"}).status_code == 200
    assert_error(api.post(path, "clerk", json={"text": "窗口代答"}), 403)


def test_return_for_rectification_opens_a_new_round_at_the_next_report(api, app_journey):
    case_id = app_journey.case_in("acceptance")
    tokens = app_journey.tokens(case_id)
    r = api.post(
        f"/sign/{tokens['601']}/acceptance", json={"opinion": "dissatisfied", "reason": "噪音大"}
    )
    assert r.status_code == 200, r.get_json()
    assert api.case(case_id, "clerk")["acceptance"]["counts"]["dissatisfied"] == 1
    assert_error(api.fire(case_id, "return_for_rectification", "clerk", json={}), 422)
    r = api.fire(
        case_id, "return_for_rectification", "clerk", json={"items": ["轿厢运行噪音超标，请整改"]}
    )
    assert r.status_code == 200, r.get_json()
    assert api.case(case_id)["state"] == "construction"
    r = api.fire(case_id, "report_completion", "owner", json=COMPLETION)
    assert r.status_code == 200, r.get_json()
    acceptance = api.case(case_id, "clerk")["acceptance"]
    # A new round: the earlier opinions are history, not counted.
    assert acceptance["counts"]["dissatisfied"] == 0 and acceptance["counts"]["satisfied"] == 0
    assert acceptance["ready"] is False
    r = api.post(f"/sign/{tokens['601']}/acceptance", json={"opinion": "satisfied"})
    assert r.status_code == 200
    assert api.case(case_id, "clerk")["acceptance"]["counts"]["satisfied"] == 1
