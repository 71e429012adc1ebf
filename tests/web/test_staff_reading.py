"""What staff read: the audit log in words (Chinese, or English on request), bank accounts
masked but for the one who pays, and the approver's own opinion before 退回补正."""

from __future__ import annotations

import re

from tests.conftest import login


def history_of(body: str) -> str:
    return body.split('id="h-history"', 1)[1]


def test_audit_log_names_fields_and_values_in_chinese(as_housing, app_journey):
    case_id = app_journey.case_in("review")
    log = history_of(as_housing.get(f"/staff/cases/{case_id}").get_data(as_text=True))
    assert "表决意见：同意" in log and "方式：在线" in log
    assert "预计总造价（元）" in log
    for raw in ("choice", "channel", "estimated_cost_fen", "agree", "community:"):
        assert not re.search(rf"\b{raw}\b", log), raw


def test_audit_log_and_lists_in_english_on_request(as_clerk, app_journey):
    case_id = app_journey.case_in("review")
    body = as_clerk.get(f"/staff/cases/{case_id}?lang=en").get_data(as_text=True)
    log = history_of(body)
    assert "Vote: agree" in log and "Channel: online" in log
    assert "表决意见" not in log and "意见征询" not in log  # fields and states both in English
    assert "Notice of acceptance" in body  # the letter's English name
    queue = as_clerk.get("/staff/?lang=en").get_data(as_text=True)
    assert "联合审查" not in queue


def test_payee_account_masked_but_for_the_lead_approver_deciding(client, app_journey, app_people):
    case_id = app_journey.case_in("subsidy_review")
    login(client, app_people.clerk.username)
    body = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "6222 0218 0600 4321" not in body
    assert "**** **** **** 4321" in body and "301室业主" in body
    client.post("/auth/logout")
    login(client, app_people.housing.username)
    body = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "6222 0218 0600 4321" in body


def test_approver_opinion_form_comes_before_return_for_correction(as_housing, app_journey):
    case_id = app_journey.case_in("review")
    body = as_housing.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert body.index("提交本部门意见") < body.index("退回补正")
