"""The clerk opens each of the four documents, and the completion papers, from the case page."""

import re


def test_clerk_opens_the_documents_from_the_case_page(as_clerk, app_journey):
    case_id = app_journey.case_in("submitted")
    page = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    links = re.findall(r'href="(/documents/\d+)"', page)
    assert len(links) == 4  # the four documents of the application
    plan = as_clerk.get(links[2])
    assert plan.status_code == 200 and plan.data.startswith(b"%PDF-")


def test_clerk_checks_the_completion_papers_before_confirming(as_clerk, app_journey):
    case_id = app_journey.case_in("acceptance")
    page = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "特种设备监督检验报告</a>" in page and "特种设备使用登记证</a>" in page
    assert "使用登记证编号：梯11鄂FA0042（26）" in page
    assert "91420683MA4F0A1B2Y" in page  # the installer's unified social credit code
