"""The owners' money on a phone (375 px): the ground-floor owner sees the compensation it will
receive before signing; once the subsidy is approved, the top-floor owner opens 我的费用 and
downloads its 出资证明, which verifies from its code."""

from __future__ import annotations

import pytest

from tests.journey import MANAGEMENT_UNIT, PATH, application
from workflow import services

from .conftest import no_horizontal_scroll


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True, has_touch=True,
        accept_downloads=True,
    )  # fmt: skip
    yield context.new_page()
    context.close()


def _links(rt, people, case_id):
    return {x["room"]: x["token"] for x in services.signing_links(rt, people.owner.id, case_id)}


def test_the_ground_floor_sees_its_compensation_and_the_top_floor_downloads_its_certificate(
    phone, live_server, live_journey, live_people, shot, axe_check
):
    rt = live_server.rt
    case_id = services.create_case(
        rt,
        live_people.owner.id,
        application(compensations={"101": "6000.00", "201": "6000.00"}),
    )
    services.set_management_unit(rt, live_people.owner.id, case_id, MANAGEMENT_UNIT, "12000")
    services.fire(rt, live_people.owner.id, case_id, "start_consultation")
    links = _links(rt, live_people, case_id)

    # 101, on the ground floor, opens its link: what it receives stands beside its share.
    phone.goto(f"{live_server.url}/sign/{links['101']}")
    assert phone.locator("#own-compensation-received").inner_text() == "6,000.00 元"
    assert phone.locator("#own-share").inner_text() == "不分摊"
    assert no_horizontal_scroll(phone)
    shot(phone, "ground-floor-before-signing")
    axe_check(phone)
    phone.get_by_label("业主姓名（与住户名单一致）").fill("陈桂兰")
    phone.get_by_label("手机号后四位").fill("0101")
    phone.get_by_label("同意加装电梯").check()
    phone.get_by_role("button", name="确认并签字").click()
    assert "本户已表决" in phone.content()

    # The others agree and the journey goes on, through the services, to the subsidy approved.
    for link in services.signing_links(rt, live_people.owner.id, case_id)[1:]:
        services.sign(rt, link["token"], owner_name=link["owner_name"],
                      phone_tail=link["phone"][-4:], choice="agree",
                      signature=link["owner_name"])  # fmt: skip
    services.fire(rt, live_people.owner.id, case_id, "finish_consultation", {"place": "单元门口"})
    for state in PATH[PATH.index("submitted") : PATH.index("subsidy_approved") + 1]:
        live_journey.step(case_id, state)

    # 601, on the top floor: 我的费用 from its link, then the certificate.
    phone.goto(f"{live_server.url}/sign/{links['601']}")
    phone.get_by_role("link", name="我的费用：分摊、补贴、补偿和出资证明").click()
    # 586,000.00 元 by 56 : 64 : 81 : 90 → 601's share 181,237.11 元; its subsidy part
    # 30,927.83 元; compensation 3,711.34 元; in the end 150,309.28 + 3,711.34 = 154,020.62 元.
    assert "181,237.11 元" in phone.locator("#bill-share").inner_text()
    assert "30,927.83 元" in phone.locator("#bill-subsidy").inner_text()
    assert phone.locator("#bill-compensation-paid").inner_text() == "3,711.34 元"
    assert phone.locator("#bill-net").inner_text() == "154,020.62 元"
    assert phone.locator("#pf-max").inner_text() == "150,309.28 元"
    assert no_horizontal_scroll(phone)
    shot(phone, "top-floor-my-money")
    axe_check(phone)
    with phone.expect_download() as download:
        phone.locator("#certificate-download").click()
    path = download.value.path()
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"

    code = services_code(rt, live_people, case_id)
    phone.goto(f"{live_server.url}/verify/{code}")
    body = phone.content()
    assert "出资证明" in body and "核验通过" in body and "601室 郑*" in body


def services_code(rt, people, case_id) -> str:
    from workflow.read.money import case_bills

    rows = case_bills(rt, people.owner.id, case_id)["rows"]
    return next(r for r in rows if r["room"] == "601")["certificate"]["verify_url"].rsplit("/")[-1]
