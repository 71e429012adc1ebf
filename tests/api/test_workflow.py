"""GET /workflow: the machine declaration as data."""

from __future__ import annotations

from workflow.process import machine, states


def test_workflow_is_the_declaration_without_a_token(api):
    r = api.get("/workflow")
    assert r.status_code == 200
    body = r.get_json()
    assert body == machine.describe()
    names = [s["name"] for s in body["states"]]
    assert names == [s.name for s in states.STATES]
    draft = body["states"][0]
    assert draft == {**draft, "name": "draft", "label": "草拟", "final": False}
    approve = next(t for t in body["transitions"] if t["trigger"] == "approve")
    assert approve["sources"] == ["review"]
    assert approve["dest"] == "approved"
    assert approve["roles"] == ["lead_approver"]


def test_final_states_are_marked(api):
    final = {s["name"] for s in api.get("/workflow").get_json()["states"] if s["final"]}
    assert final == {"not_accepted", "rejected", "withdrawn", "subsidy_paid"}


def test_refusing_acceptance_is_declared_with_its_reasons_field_and_letter(api):
    body = api.get("/workflow").get_json()
    refuse = next(t for t in body["transitions"] if t["trigger"] == "refuse_acceptance")
    assert (refuse["sources"], refuse["dest"], refuse["roles"]) == (
        ["submitted"], "not_accepted", ["clerk"]
    )  # fmt: skip
    assert refuse["letter"] == "not_accepted_decision"
    assert [f["name"] for f in refuse["fields"] if f["required"]] == ["reasons"]
