"""The 个人信息处理规则: shown before anything is entered, versioned by the admin, and the version
each person saw recorded with what they did; every page's footer says who runs the site."""

from __future__ import annotations

from sqlalchemy import select

from workflow import services
from workflow.data.models import NoticeSeen

from ..conftest import login, make_app


def seen(rt, **where):
    with rt.db.session() as s:
        q = select(NoticeSeen).order_by(NoticeSeen.id)
        for k, v in where.items():
            q = q.where(getattr(NoticeSeen, k) == v)
        return [(n.action, n.version) for n in s.scalars(q)]


def test_the_notice_names_who_processes_what_why_how_long_rights_and_contact(client):
    page = client.get("/privacy").get_data(as_text=True)
    for words in ("个人信息处理者", "枣阳市住房和城乡建设局", "处理的个人信息", "处理目的",
                  "保存期限", "180 日", "您的权利", "15 个工作日", "联系方式"):  # fmt: skip
        assert words in page, words


def test_registration_shows_the_notice_and_records_the_version(client, app):
    page = client.get("/auth/register").get_data(as_text=True)
    assert "个人信息处理规则（第 1 版）" in page
    assert page.index("个人信息处理规则（第 1 版）") < page.index('name="phone"')
    client.post(
        "/auth/register",
        data={"phone": "13800000009", "name": "王芳", "password": "long-enough-9", "confirm": "long-enough-9"},
    )  # fmt: skip
    assert seen(app.extensions["jiati"], action="register") == [("register", 1)]


def test_the_signing_link_shows_the_notice_before_the_form_and_the_sensitive_lines(
    client, app_journey
):
    case_id = app_journey.case_in("consultation")
    rt = app_journey.rt
    link = services.signing_links(rt, app_journey.p.owner.id, case_id)[0]
    page = client.get(f"/sign/{link['token']}").get_data(as_text=True)
    assert page.index("个人信息处理规则（第 1 版）") < page.index('id="sign-form"')
    assert "敏感个人信息：手写签名图片" in page
    assert "敏感个人信息：授权委托书及其所附身份证件" in page


def test_a_new_version_is_kept_beside_the_old_and_each_act_records_the_one_shown(
    client, app_people, app_journey
):
    rt = app_journey.rt
    case_id = app_journey.case_in("consultation")
    links = services.signing_links(rt, app_people.owner.id, case_id)

    def sign(link):
        services.sign(rt, link["token"], owner_name=link["owner_name"],
                      phone_tail=link["phone"][-4:], choice="agree", signature=link["owner_name"])  # fmt: skip

    sign(links[0])  # under version 1
    login(client, app_people.admin.username)
    page = client.get("/admin/privacy-notice").get_data(as_text=True)
    assert "现行：第 1 版" in page
    r = client.post("/admin/privacy-notice", data={"text": "一、新的处理规则。\n\n二、第二段。"})
    assert r.status_code == 303
    assert "一、新的处理规则。" in client.get("/privacy").get_data(as_text=True)
    old = client.get("/privacy/v1").get_data(as_text=True)
    assert "这是历史版本" in old and "个人信息处理者" in old
    assert "第 2 版" in client.get("/admin/privacy-notice").get_data(as_text=True)
    services.register(rt, "13800000010", "long-enough-9", "赵敏")
    sign(links[1])  # under version 2
    assert seen(rt, action="vote") == [("vote", 1), ("vote", 2)]
    assert seen(rt, action="register")[-1] == ("register", 2)


def test_an_upload_records_the_notice_version(app_journey):
    case_id = app_journey.case_in("publicity")
    from ..journey import pdf_bytes

    services.upload_document(
        app_journey.rt, app_journey.p.owner.id, case_id, "design_plan", pdf_bytes(), "plan.pdf"
    )
    assert ("upload", 1) in seen(app_journey.rt, user_id=app_journey.p.owner.id)


def test_only_an_admin_publishes_the_notice(client, app_people):
    login(client, app_people.clerk.username)
    assert client.post("/admin/privacy-notice", data={"text": "x"}).status_code == 403


def test_every_page_footer_says_who_runs_the_site_and_links_the_notice(tmp_path, clock):
    app = make_app(
        tmp_path,
        clock,
        AUTHORITY_ADDRESS="枣阳市光武大道 1 号",
        AUTHORITY_PHONE="0710-1234567",
        SITE_ID="4206830001",
        ICP_NUMBER="鄂ICP备00000000号",
        PSB_NUMBER="鄂公网安备 42068302000000号",
    )
    try:
        client = app.test_client()
        for path in ("/auth/login", "/track", "/privacy", "/projects"):
            page = client.get(path).get_data(as_text=True)
            footer = page[page.index('<footer class="site">') :]
            assert "主办单位：枣阳市住房和城乡建设局" in footer, path
            assert "地址：枣阳市光武大道 1 号" in footer and "电话：0710-1234567" in footer
            assert 'href="/privacy"' in footer
            assert "政府网站标识码：4206830001" in footer
            assert "鄂ICP备00000000号" in footer and "鄂公网安备 42068302000000号" in footer
    finally:
        app.extensions["jiati"].db.dispose()


def test_identifiers_not_set_are_not_shown(client):
    footer = client.get("/auth/login").get_data(as_text=True).split('<footer class="site">')[1]
    assert "主办单位" in footer and "政府网站标识码" not in footer and "ICP" not in footer


def identifiers_line(footer: str) -> str:
    return next(p for p in footer.split("<p>") if "beian" in p).split("</p>")[0]


def test_identifiers_without_a_site_id_start_with_no_separator(tmp_path, clock):
    app = make_app(
        tmp_path, clock, ICP_NUMBER="鄂ICP备00000000号", PSB_NUMBER="鄂公网安备 42068302000000号"
    )
    try:
        page = app.test_client().get("/auth/login").get_data(as_text=True)
        line = identifiers_line(page.split('<footer class="site">')[1])
        assert line.startswith('<a href="https://beian.miit.gov.cn/"')
        assert line.count('class="sep"') == 1  # one separator, between the two numbers
    finally:
        app.extensions["jiati"].db.dispose()


def test_a_psb_number_alone_stands_alone(tmp_path, clock):
    app = make_app(tmp_path, clock, PSB_NUMBER="鄂公网安备 42068302000000号")
    try:
        page = app.test_client().get("/auth/login").get_data(as_text=True)
        line = identifiers_line(page.split('<footer class="site">')[1])
        assert line.startswith('<a href="https://beian.mps.gov.cn/"') and "sep" not in line
    finally:
        app.extensions["jiati"].db.dispose()
