"""The owners' money on the pages: compensation before signing, 我的费用 and its 出资证明, the
clerk recording the payment, and the register and statistics counting paid subsidies."""

from __future__ import annotations

import pytest

from tests.conftest import make_app
from tests.journey import PAYMENT, Journey, make_people
from workflow import services
from workflow.read import cases as queries

GROUND_FLOORS = {"101": "6000.00", "201": "6000.00"}
COEFFICIENTS = {
    f"coefficient_{f}": c for f, c in enumerate(("0", "0", "0.7", "0.8", "0.9", "1.0"), 1)
}


def _links(app, people, case_id):
    rt = app.extensions["jiati"]
    return {x["room"]: x["token"] for x in services.signing_links(rt, people.owner.id, case_id)}


def test_the_ground_floor_sees_its_compensation_before_signing(client, app, app_people):
    rt = app.extensions["jiati"]
    case_id = services.create_case(
        rt, app_people.owner.id, {**_application(), "compensations": GROUND_FLOORS}
    )
    services.fire(rt, app_people.owner.id, case_id, "start_consultation")
    links = _links(app, app_people, case_id)
    ground = client.get(f"/sign/{links['101']}").get_data(as_text=True)
    assert 'id="own-compensation-received"' in ground and "6,000.00 元" in ground
    top = client.get(f"/sign/{links['601']}").get_data(as_text=True)
    assert 'id="own-compensation-paid"' in top and "3,711.34 元" in top


def test_the_applicant_enters_compensation_on_the_cost_page(as_owner, app, app_people, app_journey):
    case_id = app_journey.new_case()
    c = queries.describe_case(app.extensions["jiati"], app_people.owner.id, case_id)
    ids = {h["room"]: h["id"] for h in c["households"]}
    r = as_owner.post(
        f"/my/cases/{case_id}/costs",
        data={"estimated_cost": "600000", f"compensation_{ids['101']}": "6000",
              f"compensation_{ids['201']}": "6000", **COEFFICIENTS},
    )  # fmt: skip
    assert r.status_code == 302, r.get_data(as_text=True)
    page = as_owner.get(f"/my/cases/{case_id}/costs").get_data(as_text=True)
    assert 'value="6000.00"' in page and "支付补偿 3,711.34 元" in page
    agreement = as_owner.get(f"/cases/{case_id}/documents/owners_agreement/preview")
    assert "低层补偿" in agreement.get_data(as_text=True)


def test_a_room_off_the_roster_cannot_be_given_compensation(as_owner, app, app_journey):
    case_id = app_journey.new_case()
    r = as_owner.post(
        f"/my/cases/{case_id}/costs",
        data={"estimated_cost": "600000", "compensation_999": "1", **COEFFICIENTS},
    )
    assert r.status_code in (302, 400)  # an unknown field is ignored, never a 500


def test_my_money_after_approval(client, app, app_people, app_journey):
    case_id = app_journey.case_in("subsidy_approved")
    token = _links(app, app_people, case_id)["601"]
    page = client.get(f"/sign/{token}/money").get_data(as_text=True)
    assert "181,237.11 元" in page and "30,927.83 元" in page and "150,309.28 元" in page
    assert 'id="pf-deadline">2027-11-23' in page and "不动产权证书" in page
    assert 'id="certificate-download"' in page and "枣阳住建梯资〔2026〕" in page
    assert client.get(f"/sign/{token}").get_data(as_text=True).count("/money") >= 1
    # Its yearly part of the running cost (12,000.00 元 by the same weights: 90 of 291).
    assert 'id="bill-running">约 3,711.34 元' in page and "按与造价相同的比例分摊" in page
    ground = client.get(f"/sign/{_links(app, app_people, case_id)['101']}/money")
    assert 'id="certificate-download"' not in ground.get_data(as_text=True)
    assert 'id="bill-running">不分摊' in ground.get_data(as_text=True)


def test_the_applicant_sees_every_households_bill(as_owner, app_journey):
    case_id = app_journey.case_in("subsidy_approved")
    page = as_owner.get(f"/my/cases/{case_id}/costs").get_data(as_text=True)
    assert (
        'id="bills"' in page
        and "最终出资 150,309.28 元" in page
        and "出资证明 枣阳住建梯资" in page
    )
    assert 'id="bill-running-601">每年运行费用约 3,711.34 元' in page


@pytest.fixture
def rendering_app(tmp_path, clock):
    app = make_app(tmp_path, clock, RENDER_PDF=True)
    yield app
    app.extensions["jiati"].db.dispose()


def test_the_certificate_downloads_as_a_pdf_and_verifies(rendering_app):
    app, client = rendering_app, rendering_app.test_client()
    people = make_people(app.extensions["jiati"])
    case_id = Journey(app.extensions["jiati"], people).case_in("subsidy_approved")
    token = _links(app, people, case_id)["601"]
    r = client.get(f"/sign/{token}/certificate")
    assert r.status_code == 200 and r.data.startswith(b"%PDF-")
    money = client.get(f"/api/v1/sign/{token}/money").get_json()
    verify = client.get(money["certificate"]["verify_url"].split("5000", 1)[1])
    assert "出资证明" in verify.get_data(as_text=True) and "核验通过" in verify.get_data(
        as_text=True
    )


def test_the_clerk_records_the_payment_and_the_register_counts_it(
    as_clerk, client, app, app_people, app_journey
):
    case_id = app_journey.case_in("subsidy_approved")
    body = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert 'id="action-record_payment"' in body
    version = queries.describe_case(app.extensions["jiati"], app_people.clerk.id, case_id)[
        "version"
    ]
    r = as_clerk.post(
        f"/staff/cases/{case_id}/actions/record_payment",
        data={"expected_version": version, **PAYMENT},
    )
    assert r.status_code == 303, r.get_data(as_text=True)
    register = client.get("/projects").get_data(as_text=True)
    assert "补贴已拨付" in register and "2026-11-23 已拨付" in register


def test_the_lead_approver_corrects_the_subsidy_on_the_case_page(
    as_housing, app, app_people, app_journey
):
    case_id = app_journey.case_in("subsidy_approved")
    body = as_housing.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert 'id="action-correct_subsidy"' in body and "更正理由" in body
    assert 'id="correct_subsidy-amount" name="amount" value="100,000.00"' in body
    version = queries.describe_case(app.extensions["jiati"], app_people.housing.id, case_id)[
        "version"
    ]
    url = f"/staff/cases/{case_id}/actions/correct_subsidy"
    r = as_housing.post(url, data={"expected_version": version, "amount": "100,000.00"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "无需更正" in page and "请填写更正理由" in page
    r = as_housing.post(
        url, data={"expected_version": version, "amount": "90000", "reason": "工程量重复计价"}
    )
    assert r.status_code == 303, r.get_data(as_text=True)
    c = queries.describe_case(app.extensions["jiati"], app_people.housing.id, case_id)
    assert c["subsidy"]["amount_fen"] == 9_000_000
    first, corrected = [x for x in c["letters"] if x["kind"] == "subsidy_notice"]
    notice = as_housing.get(f"/letters/{corrected['id']}").get_data(as_text=True)
    assert f"{first['number']}《财政补贴核定通知书》" in notice
    assert "由 100,000.00 元更正为 90,000.00 元" in notice
    assert "更正理由：工程量重复计价。" in notice
    assert "行政复议" in notice  # a changed decision names the remedies, as the first did


def test_statistics_count_paid_subsidies(as_admin, app_journey):
    app_journey.case_in("subsidy_paid")
    body = as_admin.get("/admin/statistics").get_data(as_text=True)
    assert 'id="subsidy-paid"' in body and "已拨付 1 部电梯的补贴，共 100,000.00 元" in body
    csv = as_admin.get("/admin/statistics.csv").get_data(as_text=True)
    assert "subsidy_paid,total,yuan,100000.00,1" in csv


def _application():
    from tests.journey import application

    return application()
