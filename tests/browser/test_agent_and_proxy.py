"""A community worker files for a unit as its agent; a daughter signs for her father on his
household's link with the photographed power of attorney (phone, 375 px)."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from workflow import services
from workflow.data.models import Vote

from ..journey import PASSWORD, ROSTER, application, pdf_bytes


def test_homeowner_agent_files_and_a_daughter_signs_for_her_father(
    page, live_server, tmp_path, shot
):
    rt, base = live_server.rt, live_server.url
    agent = services.register(rt, "13700000077", PASSWORD, "王芳")
    case_id = services.create_case(rt, agent.id, application())
    services.set_costs(rt, agent.id, case_id, "600000")
    paper = tmp_path / "授权书.pdf"
    paper.write_bytes(pdf_bytes())

    page.goto(base + "/auth/login")
    page.get_by_label("手机号或用户名").fill("13700000077")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{base}/my/cases/{case_id}")
    page.get_by_text("我是代办人").click()
    page.get_by_label("代办人类型").select_option("community")
    page.get_by_label("代办人名称").fill("翠湖社区居委会")
    page.get_by_label("业主委托代办的授权书").set_input_files(str(paper))
    page.get_by_role("button", name="登记代办人").click()
    expect(page.get_by_text("翠湖社区居委会（社区，代办人）")).to_be_visible()
    shot(page, "agent-recorded")

    services.fire(rt, agent.id, case_id, "start_consultation")
    father = ROSTER[0]
    link = services.signing_links(rt, agent.id, case_id)[0]
    page.goto(f"{base}/sign/{link['token']}")
    page.get_by_label("业主姓名").fill(father["owner_name"])
    page.get_by_label("手机号后四位").fill(father["phone"][-4:])
    page.get_by_text("同意加装电梯").click()
    page.get_by_text("代业主签署").click()
    page.get_by_label("代签人姓名").fill("李小红")
    page.get_by_label("与业主的关系").select_option("child")
    page.get_by_label("业主签字的授权委托书").set_input_files(str(paper))
    shot(page, "signing-for-father")
    page.get_by_role("button", name="确认并签字").click()
    expect(page.get_by_text("谢谢！您的意见和签名已经记录。")).to_be_visible()

    with rt.db.session() as s:
        vote = s.scalars(select(Vote).where(Vote.case_id == case_id)).one()
        assert vote.signed_as == f"李小红（代{father['owner_name']}签署，附授权委托书）"
