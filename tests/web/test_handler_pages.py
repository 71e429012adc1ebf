"""Who has the case, on the staff's pages: a clerk takes a case (由我办理) and finds it under 我的,
a colleague cannot take it again, the desk's lead assigns cases from the queue and the new
handler is told, saved filters open in one tap, the lead sees the desk's workload, and the admin
names each desk's lead. Every form is posted as a browser posts it, CSRF token and all."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from workflow import services
from workflow.read import cases as queries

from ..journey import PASSWORD

TOKEN = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*\bvalue="([^"]+)"')


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def rt(app):
    return app.extensions["jiati"]


@pytest.fixture
def clerk2(rt, app_people):
    return services.create_user(
        rt, None, username="clerk2", password=PASSWORD, role="clerk", name="刘窗口",
        phone="13900000009",
    )  # fmt: skip


@pytest.fixture
def window_lead(rt, app_people):
    """The admin names the clerk 王窗口 the window's lead."""
    services.change_settings(rt, app_people.admin.id, {"desk_leads": {"window": "clerk"}})
    return app_people.clerk


def signed_in(app, username: str):
    """A browser of its own, logged in through the login form (with its CSRF token)."""
    client = app.test_client()
    token = TOKEN.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    r = client.post(
        "/auth/login", data={"csrf_token": token, "username": username, "password": PASSWORD}
    )
    assert r.status_code == 302, f"{username} could not log in"
    return client


def post(client, page: str, action: str, **data):
    """Post to `action` with the CSRF token of `page`, as its form does; follow the redirect."""
    html = client.get(page).get_data(as_text=True)
    data["csrf_token"] = TOKEN.search(html).group(1)
    return client.post(action, data=data, follow_redirects=True)


def text(response) -> str:
    return response.get_data(as_text=True)


def row_of(html: str, case_id: int) -> str:
    """The queue's row of one case."""
    rows = re.findall(r"<tr\b.*?</tr>", html, re.S)
    return next(r for r in rows if f'/staff/cases/{case_id}"' in r)


# --- taking a case ------------------------------------------------------------------------------


def test_a_clerk_takes_a_case_and_finds_it_under_mine(app, app_journey, csrf_on):
    case_id = app_journey.case_in("submitted")
    clerk = signed_in(app, "clerk")
    unassigned = text(clerk.get("/staff/?handler=none"))
    assert "未指派" in row_of(unassigned, case_id) and "由我办理" in row_of(unassigned, case_id)
    assert 'id="handler-window"' not in unassigned  # nobody leads the window: no assigning

    r = post(
        clerk, "/staff/?handler=none", f"/staff/cases/{case_id}/handler",
        op="take", next="/staff/?handler=none",
    )  # fmt: skip
    assert r.status_code == 200 and r.request.path == "/staff/"
    assert "已由您承办" in text(r)
    assert f'/staff/cases/{case_id}"' not in text(r)  # no longer among the unassigned

    mine = text(clerk.get("/staff/?handler=me"))
    assert "王窗口（我）" in row_of(mine, case_id)
    assert "由我办理" not in row_of(mine, case_id)
    page = text(clerk.get(f"/staff/cases/{case_id}"))
    assert "放弃承办" in page and "王窗口（我）" in page


def test_a_colleague_cannot_take_a_case_someone_has(app, rt, app_journey, app_people, clerk2,
                                                    csrf_on):  # fmt: skip
    case_id = app_journey.case_in("submitted")
    services.set_handler(rt, app_people.clerk.id, case_id, "clerk")
    other = signed_in(app, "clerk2")
    queue = text(other.get("/staff/"))
    assert "王窗口" in row_of(queue, case_id) and "由我办理" not in row_of(queue, case_id)

    # Taken meanwhile in another tab: the post is refused, in Chinese, and nothing changes.
    r = post(other, "/staff/", f"/staff/cases/{case_id}/handler", op="take", next="/staff/")
    assert "本案已有承办人，请联系负责人改派。" in text(r)
    assert queries.list_cases(rt, app_people.clerk.id, handler="clerk")["total"] == 1
    assert queries.list_cases(rt, clerk2.id, handler="me")["total"] == 0


def test_the_handler_lets_the_case_go_from_the_case_page(app, rt, app_journey, app_people,
                                                         csrf_on):  # fmt: skip
    case_id = app_journey.case_in("submitted")
    services.set_handler(rt, app_people.clerk.id, case_id, "clerk")
    clerk = signed_in(app, "clerk")
    page = f"/staff/cases/{case_id}"
    r = post(clerk, page, f"/staff/cases/{case_id}/handler", op="release")
    assert r.request.path == page and "已放弃承办" in text(r)
    assert "由我办理" in text(r)
    assert queries.list_cases(rt, app_people.clerk.id, handler="none")["total"] == 1


def test_a_post_without_the_token_takes_nothing(app, rt, app_journey, app_people, csrf_on):
    case_id = app_journey.case_in("submitted")
    clerk = signed_in(app, "clerk")
    r = clerk.post(f"/staff/cases/{case_id}/handler", data={"op": "take"})
    assert r.status_code == 400
    assert queries.list_cases(rt, app_people.clerk.id, handler="me")["total"] == 0


# --- the lead assigns ---------------------------------------------------------------------------


def test_the_lead_assigns_two_cases_and_the_new_handler_is_told(app, rt, app_journey, clerk2,
                                                                window_lead, csrf_on):  # fmt: skip
    a, b, c = (app_journey.case_in("submitted") for _ in range(3))
    lead = signed_in(app, "clerk")
    queue = text(lead.get("/staff/"))
    assert 'form="assign"' in row_of(queue, a) and '<option value="clerk2">' in queue

    r = post(lead, "/staff/", "/staff/assign", case_ids=[str(a), str(b)], username="clerk2",
             next="/staff/")  # fmt: skip
    assert "已指派 2 件。" in text(r)
    assert "刘窗口" in row_of(text(r), a) and "刘窗口" in row_of(text(r), b)
    assert "未指派" in row_of(text(r), c)

    told = signed_in(app, "clerk2")
    inbox = text(told.get("/inbox/"))
    refs = {x["id"]: x["reference"] for x in queries.list_cases(rt, clerk2.id)["items"]}
    for case_id, told_of in ((a, True), (b, True), (c, False)):
        assert (f"案件{refs[case_id]}已由王窗口交您办理" in inbox) is told_of
    mine = text(told.get("/staff/?handler=me"))
    assert f'/staff/cases/{a}"' in mine and f'/staff/cases/{c}"' not in mine


def test_the_lead_reassigns_on_the_case_page(app, rt, app_journey, app_people, clerk2,
                                             window_lead, csrf_on):  # fmt: skip
    case_id = app_journey.case_in("submitted")
    services.set_handler(rt, app_people.clerk.id, case_id, "clerk")
    lead = signed_in(app, "clerk")
    page = f"/staff/cases/{case_id}"
    assert 'id="handler-window"' in text(lead.get(page))
    r = post(lead, page, f"/staff/cases/{case_id}/handler", op="assign", username="clerk2")
    assert "已指派给 clerk2" in text(r)
    assert queries.list_cases(rt, clerk2.id, handler="me")["total"] == 1


def test_only_the_lead_sees_the_assigning_and_others_are_refused(app, rt, app_journey, clerk2,
                                                                 window_lead, csrf_on):  # fmt: skip
    case_id = app_journey.case_in("submitted")
    other = signed_in(app, "clerk2")
    queue = text(other.get("/staff/"))
    assert 'form="assign"' not in queue and 'id="assign"' not in queue
    r = post(other, "/staff/", "/staff/assign", case_ids=[str(case_id)], username="clerk",
             next="/staff/")  # fmt: skip
    assert "只有本岗位负责人或管理员可以指派承办人。" in text(r)
    assert queries.list_cases(rt, clerk2.id, handler="none")["total"] == 1


# --- saved filters ------------------------------------------------------------------------------


def test_a_saved_filter_is_listed_opened_and_deleted(app, rt, app_journey, app_people, clock,
                                                     csrf_on):  # fmt: skip
    late = app_journey.case_in("submitted")
    services.set_handler(rt, app_people.clerk.id, late, "clerk")
    clock.advance(days=10)
    fresh = app_journey.case_in("submitted")
    services.set_handler(rt, app_people.clerk.id, fresh, "clerk")
    clerk = signed_in(app, "clerk")
    assert "保存此筛选" not in text(clerk.get("/staff/"))  # nothing to save without a filter

    here = "/staff/?handler=me&due=overdue"
    r = post(clerk, here, "/staff/views", name="我的逾期", query="handler=me&due=overdue")
    assert "已保存筛选“我的逾期”" in text(r)
    assert r.request.full_path == "/staff/?handler=me&due=overdue"

    queue = text(clerk.get("/staff/"))
    link = re.search(r'<a class="chip" href="([^"]+)"[^>]*>我的逾期</a>', queue)
    assert link, "the saved filter is offered above the queue"
    opened = text(clerk.get(link.group(1).replace("&amp;", "&")))
    assert f'/staff/cases/{late}"' in opened and f'/staff/cases/{fresh}"' not in opened
    assert '<option value="overdue" selected>' in opened

    [view] = services.saved_views(rt, app_people.clerk.id)
    r = post(clerk, "/staff/", f"/staff/views/{view['id']}/delete", next="/staff/")
    assert "已删除该筛选" in text(r) and ">我的逾期</a>" not in text(r)
    assert services.saved_views(rt, app_people.clerk.id) == []


def test_a_filter_without_a_name_is_not_saved(app, rt, app_people, csrf_on):
    clerk = signed_in(app, "clerk")
    r = post(clerk, "/staff/?handler=me", "/staff/views", name=" ", query="handler=me")
    assert "请给这个筛选起个名字。" in text(r)
    assert r.request.full_path == "/staff/?handler=me"
    assert services.saved_views(rt, app_people.clerk.id) == []


def test_the_pager_keeps_the_filters(app, rt, app_journey, app_people, csrf_on):
    ids = [app_journey.case_in("submitted") for _ in range(21)]
    for case_id in ids:
        services.set_handler(rt, app_people.clerk.id, case_id, "clerk")
    clerk = signed_in(app, "clerk")
    first = text(clerk.get("/staff/?handler=me"))
    nxt = re.search(r'<a href="([^"]+)">下一页</a>', first).group(1).replace("&amp;", "&")
    assert "handler=me" in nxt and "after=" in nxt
    second = text(clerk.get(nxt))
    assert f'/staff/cases/{ids[-1]}"' in second and '<option value="me" selected>' in second


# --- the workload -------------------------------------------------------------------------------


def cell(row: str, label: str) -> str:
    found = re.search(rf'data-label="{label}">(.*?)</td>', row, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_the_workload_counts_each_persons_cases(app, rt, app_journey, app_people, clerk2, clock,
                                                window_lead, csrf_on):  # fmt: skip
    late = app_journey.case_in("submitted")
    clock.advance(days=10)
    fresh, other, done = (app_journey.case_in("submitted") for _ in range(3))
    for case_id in (late, fresh, done):
        services.set_handler(rt, app_people.clerk.id, case_id, "clerk")
    services.set_handler(rt, clerk2.id, other, "clerk2")
    services.fire(rt, app_people.clerk.id, done, "accept")

    lead = signed_in(app, "clerk")
    assert 'href="/staff/workload"' in text(lead.get("/staff/"))
    page = text(lead.get("/staff/workload"))
    rows = {n: r for r in re.findall(r"<tr\b.*?</tr>", page, re.S) for n in ("王窗口", "刘窗口")
            if n in r}  # fmt: skip
    wang, liu = rows["王窗口"], rows["刘窗口"]
    assert cell(wang, "在办") == "2 件" and cell(wang, "已逾期") == "1"
    assert cell(wang, "2个工作日内到期") == "1" and cell(wang, "本月办结") == "1"
    assert cell(liu, "在办") == "1 件" and cell(liu, "已逾期") == "0"
    assert cell(liu, "本月办结") == "0"
    assert 'href="/staff/?handler=clerk2"' in liu
    assert f'/staff/cases/{other}"' in text(lead.get("/staff/?handler=clerk2"))


def test_the_workload_is_for_leads_only(app, app_journey, clerk2, window_lead, csrf_on):
    for who, queue in (("clerk2", "/staff/"), ("housing", "/staff/review")):
        client = signed_in(app, who)
        assert client.get("/staff/workload").status_code == 403
        assert 'href="/staff/workload"' not in text(client.get(queue))
    admin = signed_in(app, "admin")
    page = text(admin.get("/staff/workload"))
    assert "王窗口" in page and "赵住建" in page  # every desk for the admin


# --- the admin names the desks' leads -----------------------------------------------------------


class _Form(HTMLParser):
    """The values a browser would post from the page's first post form."""

    def __init__(self, html: str):
        super().__init__()
        self.data: dict[str, str] = {}
        self._in_form = self._done = False
        self._select = self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._done:
            return
        if tag == "form" and a.get("method") == "post" and "logout" not in (a.get("action") or ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "radio"):
            self.data[a["name"]] = a.get("value") or ""
        elif tag == "input" and a.get("name") and "checked" in a:
            self.data[a["name"]] = a.get("value") or "y"
        elif tag == "select":
            self._select = a["name"]
        elif (
            tag == "option" and self._select and ("selected" in a or self._select not in self.data)
        ):
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def settings_form(client) -> dict[str, str]:
    return _Form(text(client.get("/admin/settings"))).data


def test_the_admin_names_a_desk_lead(app, rt, app_journey, csrf_on):
    admin = signed_in(app, "admin")
    form = settings_form(admin)
    assert form["lead_window"] == "" and "csrf_token" in form
    assert "本岗位人员：clerk（王窗口）" in text(admin.get("/admin/settings"))
    r = admin.post("/admin/settings", data={**form, "lead_window": "clerk"}, follow_redirects=True)
    assert "设置已保存。" in text(r)
    assert services.effective_settings(rt).desk_leads == {"window": "clerk"}
    assert settings_form(admin)["lead_window"] == "clerk"
    lead = signed_in(app, "clerk")
    assert 'href="/staff/workload"' in text(lead.get("/staff/"))


@pytest.mark.parametrize(
    "desk, username, message",
    [
        ("lead_housing", "clerk", "“clerk”不是住建在岗的工作人员，不能担任住建负责人。"),
        ("lead_window", "nobody", "“nobody”不是窗口在岗的工作人员，不能担任窗口负责人。"),
    ],
)
def test_a_lead_not_of_the_desk_is_refused(app, rt, desk, username, message, app_people,
                                           csrf_on):  # fmt: skip
    admin = signed_in(app, "admin")
    form = {**settings_form(admin), desk: username, "review_workdays": "8"}
    r = admin.post("/admin/settings", data=form)
    assert r.status_code == 400
    page = text(r)
    assert message in page
    assert f'value="{username}"' in page and 'value="8"' in page  # what was typed is kept
    settings = services.effective_settings(rt)
    assert settings.desk_leads == {} and settings.review_workdays == 10


def test_an_inactive_lead_is_refused(app, rt, app_people, clerk2, csrf_on):
    services.update_user(rt, app_people.admin.id, clerk2.id, active=False)
    admin = signed_in(app, "admin")
    r = admin.post("/admin/settings", data={**settings_form(admin), "lead_window": "clerk2"})
    assert "“clerk2”不是窗口在岗的工作人员" in text(r)
    assert services.effective_settings(rt).desk_leads == {}


# --- the other filters, and the page in English ---------------------------------------------------


def test_the_queue_filters_by_street_among_those_present(app, app_journey, csrf_on):
    south = app_journey.case_in("submitted", street="南城街道")
    north = app_journey.case_in("submitted", street="北城街道")
    clerk = signed_in(app, "clerk")
    queue = text(clerk.get("/staff/"))
    assert '<option value="北城街道" >' in queue or '<option value="北城街道">' in queue
    assert "环城街道" not in queue  # only the streets with a case
    found = text(clerk.get("/staff/?street=南城街道"))
    assert f'/staff/cases/{south}"' in found and f'/staff/cases/{north}"' not in found
    # The quick filters keep the street.
    assert 'href="/staff/?street=%E5%8D%97%E5%9F%8E%E8%A1%97%E9%81%93&amp;handler=me"' in found


def test_the_handler_column_in_english(app, app_journey, csrf_on):
    app_journey.case_in("submitted")
    clerk = signed_in(app, "clerk")
    queue = text(clerk.get("/staff/?lang=en"))
    assert "Unassigned" in queue and "I'll handle it" in queue and "未指派" not in queue
