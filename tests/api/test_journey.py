"""The whole life of a case, draft → subsidy_paid, through the API alone."""

from __future__ import annotations

import io

from ..journey import COMPLETION, INSTALLER, MANAGEMENT_UNIT, add_mediator, pdf_bytes
from .conftest import application_json


def upload(api, case_id, kind, who="owner"):
    r = api.put(
        f"/cases/{case_id}/documents/{kind}",
        who,
        data={"file": (io.BytesIO(pdf_bytes()), f"{kind}.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()["case"]


def fire(api, case_id, trigger, who, json=None, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else None
    r = api.fire(case_id, trigger, who, json=json, headers=headers)
    assert r.status_code == 200, (trigger, r.get_json())
    return r.get_json()


def test_an_application_goes_from_draft_to_subsidy_approved_through_the_api(api, clock):
    r = api.post("/cases", "owner", json={**application_json(), "management_unit": MANAGEMENT_UNIT})
    assert r.status_code == 201
    case = r.get_json()
    cid = case["id"]
    assert case["state"] == "draft"

    case = fire(api, cid, "start_consultation", "owner", version=case["version"])
    assert case["state"] == "consultation"

    links = api.get(f"/cases/{cid}/signing-links", "owner").get_json()["links"]
    assert len(links) == 6
    for link in links[:5]:  # five owners sign online, without an account
        r = api.client.post(
            link["sign_path"],
            json={
                "owner_name": link["owner_name"],
                "phone_tail": link["phone"][-4:],
                "choice": "agree",
                "signature": link["owner_name"],
            },
        )
        assert r.status_code == 200, r.get_json()
    last = links[5]  # the sixth signs on paper at the window
    r = api.post(
        f"/cases/{cid}/votes",
        "clerk",
        json={"room": last["room"], "choice": "agree", "signature": last["owner_name"]},
    )
    assert r.status_code == 201
    case = r.get_json()["case"]
    assert case["quorum"]["met"] is True
    assert case["quorum"]["agree_count"]["fraction"] == "1/1"

    case = fire(api, cid, "finish_consultation", "owner", {"place": "单元门口公告栏"})
    assert case["state"] == "publicity"

    r = api.post(f"/cases/{cid}/objections", "owner", json={"room": "101", "text": "担心采光"})
    assert r.status_code == 201
    objection_id = r.get_json()["id"]
    # Referred to the mediator, who records a session and an outcome without agreement.
    add_mediator(api.client.application.extensions["jiati"], api.people)
    r = api.post(f"/cases/{cid}/objections/{objection_id}/mediation", "owner")
    assert r.status_code == 201
    mid = r.get_json()["id"]
    r = api.post(
        f"/mediations/{mid}/sessions",
        "mediator",
        json={"held_on": "2026-11-23", "place": "社区调解室", "attendees": ["101室业主", "申请人"],
              "notes": "北侧加装不遮挡采光"},
    )  # fmt: skip
    assert r.status_code == 201
    r = api.post(
        f"/mediations/{mid}/outcome",
        "mediator",
        json={"agreed": False, "opinion": "调解后仍不同意；北侧加装不遮挡采光，建议加装"},
    )
    assert r.status_code == 201

    case = upload(api, cid, "design_plan")
    case = fire(api, cid, "submit", "owner", version=case["version"])
    assert case["state"] == "submitted"

    case = fire(
        api,
        cid,
        "request_correction",
        "clerk",
        {"items": [{"document": "design_plan", "text": "结构安全评估缺少签章"}]},
    )
    assert case["state"] == "correction"
    clock.advance(hours=2)  # the owner replaces the plan later that day
    upload(api, cid, "design_plan")
    assert fire(api, cid, "resubmit", "owner")["state"] == "submitted"

    case = fire(api, cid, "accept", "clerk")
    assert case["state"] == "review"
    assert case["deadline"] is not None
    for approver in ("housing", "planning", "market"):
        r = api.post(
            f"/cases/{cid}/opinions", approver, json={"verdict": "agree", "comment": "同意"}
        )
        assert r.status_code == 201
    weighing = {"weighing": "北侧加装不遮挡采光，该异议不构成不予批准的理由"}
    assert fire(api, cid, "approve", "housing", weighing)["state"] == "approved"

    upload(api, cid, "installation_notice")
    # Three households represent the residents; each accepts through its own link.
    r = api.put(f"/cases/{cid}/supervisors", "owner", json={"rooms": ["501", "601", "301"]})
    assert r.status_code == 200
    tokens = {link["room"]: link["token"] for link in links}
    for room in ("501", "601", "301"):
        assert (
            api.post(f"/sign/{tokens[room]}/supervisor", json={"accept": True}).status_code == 200
        )
    case = fire(api, cid, "start_construction", "owner", INSTALLER)
    assert case["state"] == "construction"
    upload(api, cid, "inspection_report")
    upload(api, cid, "equipment_registration")
    case = fire(api, cid, "report_completion", "owner", COMPLETION)
    assert case["state"] == "acceptance"
    for token in tokens.values():  # every household is satisfied with the work
        assert (
            api.post(f"/sign/{token}/acceptance", json={"opinion": "satisfied"}).status_code == 200
        )
    assert fire(api, cid, "confirm_completion", "clerk")["state"] == "completed"

    upload(api, cid, "invoice")
    case = fire(
        api,
        cid,
        "apply_subsidy",
        "owner",
        {"actual_cost": "586000.00", "payee": "业主委员会 6222 0000 1234 5678"},
    )
    assert case["state"] == "subsidy_review"
    case = fire(api, cid, "approve_subsidy", "housing", {})
    assert case["state"] == "subsidy_approved"
    assert case["final"] is False  # it waits on the window to record the payment
    assert case["subsidy"]["amount_fen"] == 100_000 * 100
    # The lead may still correct the amount; the payment itself waits on the window.
    assert [a["trigger"] for a in case["actions"]] == ["correct_subsidy"]
    payment = {"paid_on": "2026-11-23", "amount": "100000.00", "voucher": "枣财拨〔2026〕318号"}
    case = fire(api, cid, "record_payment", "clerk", payment)
    assert case["state"] == "subsidy_paid" and case["final"] is True

    kinds = [x["kind"] for x in api.get(f"/cases/{cid}/letters", "owner").get_json()["letters"]]
    assert kinds == [
        "correction_notice",
        "acceptance_notice",
        "approval_decision",
        "subsidy_notice",
    ]
    events = [e["kind"] for e in api.get(f"/cases/{cid}/history", "owner").get_json()["events"]]
    for trigger in (
        "start_consultation",
        "finish_consultation",
        "submit",
        "request_correction",
        "resubmit",
        "accept",
        "approve",
        "start_construction",
        "report_completion",
        "confirm_completion",
        "apply_subsidy",
        "approve_subsidy",
        "record_payment",
    ):
        assert trigger in events
    assert events.count("vote") == 6
