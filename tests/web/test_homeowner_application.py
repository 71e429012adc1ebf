"""The homeowner opens an application: building and roster, rows added, removed and pasted."""

from __future__ import annotations

import re

from workflow.read import cases as queries

from ..conftest import login


def form_data(rows, **over):
    data = {
        "community": "翠湖花园",
        "address": "枣阳市南城街道光武大道 18 号",
        "building": "3号楼",
        "unit": "2单元",
        "floors": "6",
        "op": "save",
    }
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"households-{i}-{k}"] = v
    data.update(over)
    return data


GOOD = [
    {"room": "101", "floor": "1", "area": "70", "owner_name": "陈桂兰", "phone": "13900000101"},
    {"room": "601", "floor": "6", "area": "90.5", "owner_name": "郑喆", "phone": ""},
]


def owner_cases(app, people):
    return queries.list_cases(app.extensions["jiati"], people.owner.id)["items"]


def test_new_application_page_has_labelled_fields_and_two_rows(as_owner):
    html = as_owner.get("/my/new").get_data(as_text=True)
    assert 'name="csrf_token"' in html
    for label in ("小区名称", "楼层数（地上）", "专有面积（m²）", "业主姓名"):
        assert label in html
    assert 'id="households-1-room"' in html
    assert 'id="households-2-room"' not in html


def test_saving_a_valid_application_opens_the_case(app, as_owner, app_people):
    r = as_owner.post("/my/new", data=form_data(GOOD))
    assert r.status_code == 302
    [case] = owner_cases(app, app_people)
    assert r.headers["Location"].endswith(f"/my/cases/{case['id']}")
    assert case["state"] == "draft"
    page = as_owner.get(r.headers["Location"]).get_data(as_text=True)
    assert "发起意见征询" in page and "草拟" in page


def test_an_invalid_row_is_named_and_nothing_typed_is_lost(app, as_owner, app_people):
    rows = [GOOD[0], {**GOOD[1], "area": "abc", "phone": "12345"}]
    r = as_owner.post("/my/new", data=form_data(rows, community="翠湖花园二期"))
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "请修改以下内容" in html
    assert "第 2 行：专有面积应为大于 0 的数" in html
    assert "第 2 行：手机号应为 11 位大陆手机号" in html
    # beside the field, linked from the summary
    assert 'href="#households-1-area"' in html
    assert re.search(
        r'id="households-1-area"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="households-1-area"',
        html,
    )
    for typed in ("翠湖花园二期", 'value="abc"', 'value="12345"', 'value="陈桂兰"'):
        assert typed in html
    assert owner_cases(app, app_people) == []


def test_missing_building_fields_are_shown_beside_them(as_owner):
    r = as_owner.post("/my/new", data=form_data(GOOD, community="", floors="六"))
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "请填写小区名称" in html and "楼层数应为 2 到 40 之间的整数" in html
    assert 'value="六"' in html


def test_add_row_keeps_what_was_typed_and_saves_nothing(app, as_owner, app_people):
    r = as_owner.post("/my/new", data=form_data(GOOD, op="add_row"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'id="households-2-room"' in html
    assert 'value="郑喆"' in html and 'value="90.5"' in html
    assert owner_cases(app, app_people) == []


def test_remove_row_drops_only_that_row(as_owner):
    rows = [GOOD[0], {**GOOD[0], "room": "201", "owner_name": "刘国强"}, GOOD[1]]
    html = as_owner.post("/my/new", data=form_data(rows, op="remove_row:1")).get_data(as_text=True)
    assert "刘国强" not in html
    assert 'value="陈桂兰"' in html and 'value="郑喆"' in html
    assert 'id="households-2-room"' not in html


def test_pasted_spreadsheet_rows_fill_the_roster(as_owner):
    pasted = "室号\t楼层\t面积\t姓名\t手机\n101\t1\t70\t陈桂兰\t13900000101\n201,2,70.5,刘国强,\n"
    r = as_owner.post("/my/new", data=form_data([], paste=pasted, op="paste"))
    html = r.get_data(as_text=True)
    assert "已从粘贴内容填入 2 户" in html
    assert 'value="刘国强"' in html and 'value="70.5"' in html
    assert "室号" not in re.findall(r'id="households-0-room"[^>]*', html)[0]


def test_paste_with_nothing_usable_says_how(as_owner):
    html = as_owner.post("/my/new", data=form_data(GOOD, paste="  \n", op="paste")).get_data(
        as_text=True
    )
    assert "没有识别出住户" in html
    assert 'value="陈桂兰"' in html


def test_blank_rows_are_ignored_and_row_numbers_follow_the_page(app, as_owner, app_people):
    rows = [GOOD[0], {"room": "", "floor": "", "area": "", "owner_name": "", "phone": ""}, GOOD[1]]
    r = as_owner.post("/my/new", data=form_data(rows))
    assert r.status_code == 302
    [case] = owner_cases(app, app_people)
    c = queries.describe_case(app.extensions["jiati"], app_people.owner.id, case["id"])
    assert [h["room"] for h in c["households"]] == ["101", "601"]


def test_edit_changes_the_roster_while_in_draft(app, as_owner, app_people, app_journey):
    case_id = app_journey.new_case()
    html = as_owner.get(f"/my/cases/{case_id}/edit").get_data(as_text=True)
    assert 'value="吴淑珍"' in html
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', html)
    v = version.group(1) or version.group(2)
    r = as_owner.post(f"/my/cases/{case_id}/edit", data=form_data(GOOD, version=v))
    assert r.status_code == 302
    c = queries.describe_case(app.extensions["jiati"], app_people.owner.id, case_id)
    assert len(c["households"]) == 2


def test_edit_with_a_stale_version_changes_nothing(app, as_owner, app_people, app_journey):
    case_id = app_journey.new_case()
    r = as_owner.post(f"/my/cases/{case_id}/edit", data=form_data(GOOD, version="999"))
    assert r.status_code == 400
    assert "案件已被更新" in r.get_data(as_text=True)
    c = queries.describe_case(app.extensions["jiati"], app_people.owner.id, case_id)
    assert len(c["households"]) == 6


def test_edit_after_consultation_started_is_refused(app, as_owner, app_people, app_journey):
    case_id = app_journey.case_in("consultation")
    r = as_owner.post(f"/my/cases/{case_id}/edit", data=form_data(GOOD))
    assert r.status_code == 400
    assert "发起意见征询后不能再修改" in r.get_data(as_text=True)


def test_another_owners_case_cannot_be_edited(client, app_people, app_journey):
    case_id = app_journey.new_case()
    login(client, app_people.neighbour.username)
    assert client.get(f"/my/cases/{case_id}/edit").status_code == 404
    assert client.post(f"/my/cases/{case_id}/edit", data=form_data(GOOD)).status_code == 404
