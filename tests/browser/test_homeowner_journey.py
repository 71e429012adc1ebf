"""The homeowner's whole journey on a phone (375×812): register, apply, three owners sign
through their links, notice, upload, submit, (staff through the services), construction,
completion, subsidy approved. Every page: a screenshot, no horizontal scroll, axe-core."""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect

from workflow import services

from ..journey import Journey, pdf_bytes
from .conftest import no_horizontal_scroll


def _png() -> bytes:
    """A one-pixel PNG as Pillow writes it (every chunk's CRC right, as a phone's would be)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (1, 1), (255, 255, 255, 255)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()
OWNERS = [
    ("101", "1", "68.5", "陈桂兰", "13900000101"),
    ("401", "4", "80", "周志华", "13900000401"),
    ("601", "6", "90.2", "郑喆", "13900000601"),
]


def check(page, shot, axe_check, name):
    """What every page of the journey must be: fits the phone, passes axe, 18 px text."""
    page.wait_for_load_state("load")  # a click returns once navigation commits, before CSS
    assert no_horizontal_scroll(page), f"{name}: horizontal scroll"
    small = page.evaluate(
        """() => [...document.querySelectorAll('main p, main li, main label, main dd, main button')]
              .filter(e => e.offsetParent && e.innerText.trim()
                      && parseFloat(getComputedStyle(e).fontSize) < 18)
              .map(e => getComputedStyle(e).fontSize + ' ' + e.innerText.slice(0, 30))"""
    )
    assert small == [], f"{name}: text under 18px: {small[:5]}"
    tiny = page.evaluate(
        """() => [...document.querySelectorAll('main button, main .button, main input:not([type=hidden]), main select, main summary')]
              .map(e => e.closest('label') || e)  // a radio's tap target is its whole label
              .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)
              .map(e => e.outerHTML.slice(0, 60))"""
    )
    assert tiny == [], f"{name}: tap targets under 44px: {tiny[:5]}"
    shot(page, name)
    axe_check(page)


def register(page, base):
    page.goto(base + "/auth/register")
    page.get_by_label("手机号").fill("13700000009")
    page.get_by_label("姓名").fill("周志华")
    page.get_by_label("密码（至少 10 位）").fill("secret-pass-9")
    page.get_by_label("再次输入密码").fill("secret-pass-9")
    page.get_by_role("button", name="注册").click()


def test_homeowner_journey_from_registration_to_subsidy(
    page, browser, live_server, live_people, shot, axe_check, tmp_path, interactions
):
    """Counted as a new owner would tap: at most 21 taps from registering to applying for the
    subsidy (mistakes made on purpose and side looks are left out of the count)."""
    base, rt, people = live_server.url, live_server.rt, live_people
    page.set_default_timeout(10_000)
    journey = Journey(rt, people)
    counts = interactions(page)

    # — register and open an application ——————————————————————————————
    page.goto(base + "/auth/register")
    check(page, shot, axe_check, "01-register")
    with counts.aside():
        page.get_by_role("button", name="注册").click()
        expect(page.locator("body")).to_contain_text("请填写手机号")
        check(page, shot, axe_check, "02-register-errors")
    page.get_by_label("手机号").fill("13700000009")
    page.get_by_label("姓名").fill("周志华")
    page.get_by_label("密码（至少 10 位）").fill("secret-pass-9")
    page.get_by_label("再次输入密码").fill("secret-pass-9")
    page.get_by_role("button", name="注册").click()
    assert page.url.endswith("/my/")
    check(page, shot, axe_check, "03-my-applications-empty")

    page.get_by_role("link", name="新建加装电梯申请").click()
    page.get_by_label("小区名称").fill("翠湖花园")
    page.get_by_label("地址（区、街道、门牌号）").fill("枣阳市南城街道光武大道 18 号")
    page.get_by_label("楼栋号").fill("3号楼")
    page.get_by_label("单元号").fill("2单元")
    page.get_by_label("楼层数（地上）").fill("6")
    loads = counts.loads
    page.get_by_label("从表格粘贴住户名单").fill(
        "室号\t楼层\t面积\t姓名\t手机\n" + "\n".join("\t".join(o) for o in OWNERS)
    )
    page.get_by_role("button", name="按粘贴内容填入名单").click()
    expect(page.locator("body")).to_contain_text("已从粘贴内容填入 3 户")
    assert page.locator("#households-2-owner_name").input_value() == "郑喆"
    with counts.aside():  # rows added and removed in place, the page is not reloaded
        page.get_by_role("button", name="＋ 再加一户").click()
        page.locator("#households-3-room").fill("701")
        page.get_by_role("button", name="删除第 4 行").click()
        expect(page.locator("#households-3-room")).to_have_count(0)
        page.locator("#households-1-area").fill("八十")
        page.get_by_role("button", name="保存申请").click()
        expect(page.locator("body")).to_contain_text("第 2 行：专有面积应为大于 0 的数")
        assert page.locator("#households-2-owner_name").input_value() == "郑喆"
        check(page, shot, axe_check, "04-application-errors")
        page.locator("#households-1-area").fill("80")
    assert counts.loads == loads, "the roster was entered without reloading the page"
    # The price goes in with the building: every owner sees it before the first vote.
    page.get_by_label("预计总造价（元）").fill("450000")
    page.get_by_role("button", name="保存申请").click()
    case_id = int(re.search(r"/my/cases/(\d+)$", page.url).group(1))
    expect(page.locator(".flash-success")).to_contain_text("已完成：保存楼栋和住户名单。下一步：")
    check(page, shot, axe_check, "05-case-draft")

    expect(page.locator("body")).to_contain_text("450,000.00 元")

    # — consultation: three owners sign through their links ————————————————————
    page.get_by_role("button", name="发起意见征询").click()
    expect(page.locator(".flash-success")).to_contain_text("已完成：发起意见征询。下一步：")
    check(page, shot, axe_check, "07-consent-links")
    links = [a.get_attribute("href") for a in page.locator(".link-text a").all()]
    assert len(links) == 3

    owner_context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    phone = owner_context.new_page()
    for i, (link, (_room, _f, _a, name, mobile)) in enumerate(zip(links, OWNERS, strict=True)):
        phone.goto(link)
        if i == 0:
            check(phone, shot, axe_check, "08-sign-page")
            assert phone.get_by_role("link", name="登录").count() == 0
            phone.get_by_label("业主姓名（与住户名单一致）").fill(name)
            phone.get_by_label("手机号后四位").fill("0000")
            phone.get_by_label("反对").check()
            phone.get_by_role("button", name="确认并签字").click()
            expect(phone.locator("body")).to_contain_text("手机号后四位不符")
            assert phone.get_by_label("业主姓名（与住户名单一致）").input_value() == name
            assert phone.get_by_label("反对").is_checked()
            check(phone, shot, axe_check, "09-sign-errors")
        phone.get_by_label("业主姓名（与住户名单一致）").fill(name)  # the name, asked once
        phone.get_by_label("手机号后四位").fill(mobile[-4:])
        phone.get_by_label("同意加装电梯").check()
        if i == 1:  # a drawn signature beside the typed name
            box = phone.locator("#signature-pad").bounding_box()
            phone.mouse.move(box["x"] + 20, box["y"] + 40)
            phone.mouse.down()
            phone.mouse.move(box["x"] + 120, box["y"] + 100, steps=5)
            phone.mouse.up()
        phone.get_by_role("button", name="确认并签字").click()
        expect(phone.locator("body")).to_contain_text("本户已表决：同意")
        if i == 0:
            check(phone, shot, axe_check, "10-sign-done")
    owner_context.close()

    page.reload()
    expect(page.locator("body")).to_contain_text("已达到法定表决比例")
    check(page, shot, axe_check, "11-consent-quorum-met")

    # — notice: ended from the consent page, uploads on the case page ——————————————
    page.get_by_label("公示张贴地点（选填）").fill("3号楼2单元门口")
    page.get_by_role("button", name="结束征询并开始公示").click()
    expect(page.locator(".case-meta .badge")).to_have_text("公示中")
    expect(page.locator(".qr svg")).to_have_count(1)  # the public notice's QR on the case page
    check(page, shot, axe_check, "12-case-publicity")
    with counts.aside():
        page.get_by_role("link", name="打开 A4 公示，打印张贴").click()
        page.wait_for_url("**/notice/print")
        expect(page.locator(".qr svg")).to_have_count(1)  # waits for the print page to load
        check(page, shot, axe_check, "13-notice-print")
        page.go_back()
        wrong = tmp_path / "plan.pdf"
        wrong.write_bytes(b"not a pdf at all")
        page.get_by_label("设计方案（含结构安全评估），PDF 文件").set_input_files(str(wrong))
        page.get_by_role("button", name="上传所选文件").click()
        expect(page.locator("body")).to_contain_text("文件格式不符，只接受 PDF")
        check(page, shot, axe_check, "14-upload-error")
    photo = tmp_path / "notice.png"
    photo.write_bytes(PNG)
    plan = tmp_path / "plan-ok.pdf"
    plan.write_bytes(pdf_bytes())
    page.get_by_label("设计方案（含结构安全评估），PDF 文件").set_input_files(str(plan))
    page.get_by_label("公示张贴照片（JPG 或 PNG）（选填）").set_input_files(str(photo))
    page.get_by_role("button", name="上传所选文件").click()
    expect(page.locator(".flash-success")).to_contain_text("已完成：上传")
    check(page, shot, axe_check, "15-uploaded")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".case-meta .badge")).to_have_text("待受理")
    check(page, shot, axe_check, "16-submitted")

    # — the window and the departments, through the services ———————————————————
    services.fire(rt, people.clerk.id, case_id, "accept")
    journey.all_agree(case_id)
    services.fire(rt, people.housing.id, case_id, "approve")

    with counts.aside():
        page.get_by_role("link", name="办理进度").click()
        expect(page.locator("body")).to_contain_text("准予加装电梯决定书")
        expect(page.locator("body")).to_contain_text("受理通知书")
        check(page, shot, axe_check, "17-progress-approved")
        page.get_by_role("link", name="概况").click()

    # — construction and completion ————————————————————————————————————————————
    # Who will run the elevator (使用管理单位, 特种设备安全法第三十二条) is named on the cost page
    # before completion is reported: one form, one tap.
    page.goto(f"{base}/my/cases/{case_id}/costs")
    page.get_by_label("使用管理单位类型").select_option("property")
    page.get_by_label("单位名称（业主自管的填联系人姓名）").fill("枣阳市安居物业服务有限公司")
    page.get_by_label("统一社会信用代码（单位必填）").fill("91420683MA4F0A1B2Y")
    page.get_by_label("联系电话").fill("13907100088")
    page.get_by_role("button", name="保存使用管理单位").click()
    page.goto(f"{base}/my/cases/{case_id}")
    # The installer notifies 市场监管 before work starts: its receipt is uploaded first.
    page.get_by_label(
        "特种设备安装改造修理告知回执（市场监管部门出具，PDF 或照片）"
    ).set_input_files(str(plan))
    page.get_by_role("button", name="上传所选文件").click()
    expect(page.locator(".flash-success")).to_contain_text("已完成：上传")
    # A unit of three households: all three were proposed as its residents' representatives on
    # approval (there is no choice to make); each accepts through its own link.
    expect(page.locator("#residents")).to_contain_text("待接受")
    journey.accept_role(case_id, [o[0] for o in OWNERS])
    page.reload()
    page.get_by_label("施工单位", exact=True).fill("安居电梯工程公司")
    page.get_by_label("开工日期").fill("2026-12-01")
    page.get_by_label("电梯安装单位", exact=True).fill("襄阳安居电梯安装有限公司")
    page.get_by_label("安装单位统一社会信用代码").fill("91420683MA4F0A1B2Y")
    page.get_by_label("特种设备安装改造修理许可证编号").fill("TS3342001-2028")
    page.get_by_label("计划竣工日期").fill("2027-03-01")
    check(page, shot, axe_check, "18-case-approved")
    page.get_by_role("button", name="报告开工").click()
    expect(page.locator(".case-meta .badge")).to_have_text("施工中")
    page.get_by_label("特种设备监督检验报告（检验机构出具，PDF 或照片）").set_input_files(str(plan))
    page.get_by_label("特种设备使用登记证（PDF 或照片）").set_input_files(str(plan))
    check(page, shot, axe_check, "19-case-construction")
    page.get_by_role("button", name="上传所选文件").click()
    expect(page.locator(".flash-success")).to_contain_text("已完成：上传")
    page.get_by_label("特种设备使用登记证编号").fill("梯11鄂FA0042（26）")
    page.get_by_label("维保单位", exact=True).fill("襄阳安居电梯维保有限公司")
    page.get_by_label("维保单位统一社会信用代码").fill("91420683MA4F0A1B2Y")
    page.get_by_label("维保合同起始日期").fill("2026-12-01")
    page.get_by_label("维保合同截止日期").fill("2027-11-30")
    page.get_by_role("button", name="报告竣工").click()
    expect(page.locator(".case-meta .badge")).to_have_text("待竣工核验")
    journey.residents_satisfied(case_id)  # 居民不满意不验收: the households answer first
    services.fire(rt, people.clerk.id, case_id, "confirm_completion")

    # — subsidy ——————————————————————————————————————————————————————————————
    page.reload()
    page.get_by_label("发票（PDF 或照片）").set_input_files(str(plan))
    page.get_by_role("button", name="上传所选文件").click()
    expect(page.locator(".flash-success")).to_contain_text("已完成：上传发票")
    page.get_by_label("实际造价（元）").fill("438000")
    page.get_by_label("收款账户").fill("翠湖花园3号楼2单元 6222 0000 1234 5678")
    check(page, shot, axe_check, "20-apply-subsidy")
    page.get_by_role("button", name="申请补贴").click()
    expect(page.locator(".case-meta .badge")).to_have_text("补贴审核")
    print(f"\nowner's journey: {counts.taps} taps, {counts.loads} page loads: {counts.tapped}")
    # 21: naming the 使用管理单位 (the law asks for it before the lift is used) is one form more.
    assert counts.taps <= 21, counts.tapped

    services.fire(rt, people.housing.id, case_id, "approve_subsidy", {})
    page.reload()
    expect(page.locator("body")).to_contain_text("核准补贴金额：100,000.00 元")
    expect(page.locator(".case-meta .badge")).to_have_text("补贴已核准")
    check(page, shot, axe_check, "21-subsidy-approved")
    page.get_by_role("link", name="我的申请").click()
    check(page, shot, axe_check, "22-my-applications")


def test_homeowner_withdraws_after_confirming(page, live_server, live_people, shot, axe_check):
    base = live_server.url
    journey = Journey(live_server.rt, live_people)
    case_id = journey.case_in("consultation")
    page.goto(base + "/auth/login")
    page.get_by_label("手机号或用户名").fill(live_people.owner.username)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.goto(f"{base}/my/cases/{case_id}")
    page.get_by_role("link", name="撤回申请").click()
    expect(page.locator("body")).to_contain_text("不能恢复")
    expect(page.locator("body")).to_contain_text("已收集的签字")
    check(page, shot, axe_check, "withdraw-confirm")
    page.get_by_role("button", name="确认撤回申请").click()
    expect(page.locator(".case-meta .badge")).to_have_text("已撤回")
    check(page, shot, axe_check, "withdrawn")
