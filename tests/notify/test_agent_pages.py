"""Pages: the agent registers on the case page; a daughter signs for her father on the
household's link; the window records a son signing on paper."""

from __future__ import annotations

import io

from sqlalchemy import select

from tests.journey import ROSTER, pdf_bytes
from workflow import services
from workflow.data.models import Vote


def test_the_applicant_records_itself_as_the_units_agent(as_owner, app_journey):
    case_id = app_journey.case_in("draft")
    page = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert 'name="agent_kind"' in page
    r = as_owner.post(
        f"/my/cases/{case_id}/agent",
        data={
            "agent_kind": "community",
            "agent_name": "翠湖社区居委会",
            "agent_document": (io.BytesIO(pdf_bytes()), "授权书.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "翠湖社区居委会（社区，代办人）" in r.get_data(as_text=True)


def test_an_agent_without_its_paper_is_told_so(as_owner, app_journey):
    case_id = app_journey.case_in("draft")
    r = as_owner.post(
        f"/my/cases/{case_id}/agent",
        data={"agent_kind": "property", "agent_name": "安居物业"},
        follow_redirects=True,
    )
    assert "请上传代办授权书" in r.get_data(as_text=True)


def test_the_signing_page_offers_the_workflows_relationships_in_the_readers_language(
    app, client, app_journey
):
    case_id = app_journey.case_in("consultation")
    link = services.signing_links(app.extensions["jiati"], app_journey.p.owner.id, case_id)[0]
    zh = client.get(f"/sign/{link['token']}").get_data(as_text=True)
    en = client.get(f"/sign/{link['token']}?lang=en").get_data(as_text=True)
    for code, (chinese, english) in services.RELATIONSHIPS.items():
        assert f'<option value="{code}">{chinese}</option>' in zh
        assert f'<option value="{code}">{english}</option>' in en


def test_a_daughter_signs_for_her_father_on_the_households_page(app, client, app_journey):
    case_id = app_journey.case_in("consultation")
    rt = app.extensions["jiati"]
    link = services.signing_links(rt, app_journey.p.owner.id, case_id)[0]
    page = client.get(f"/sign/{link['token']}").get_data(as_text=True)
    assert 'name="proxy_document"' in page
    r = client.post(
        f"/sign/{link['token']}",
        data={
            "owner_name": ROSTER[0]["owner_name"],
            "phone_tail": ROSTER[0]["phone"][-4:],
            "choice": "agree",
            "proxy_name": "李小红",
            "proxy_relationship": "child",
            "proxy_document": (io.BytesIO(pdf_bytes()), "委托书.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    with rt.db.session() as s:
        vote = s.scalars(select(Vote)).one()
        assert vote.signed_as == f"李小红（代{ROSTER[0]['owner_name']}签署，附授权委托书）"


def test_signing_for_the_owner_without_the_paper_is_refused_beside_the_field(
    app, client, app_journey
):
    case_id = app_journey.case_in("consultation")
    rt = app.extensions["jiati"]
    link = services.signing_links(rt, app_journey.p.owner.id, case_id)[0]
    r = client.post(
        f"/sign/{link['token']}",
        data={
            "owner_name": ROSTER[0]["owner_name"],
            "phone_tail": ROSTER[0]["phone"][-4:],
            "choice": "agree",
            "proxy_name": "李小红",
            "proxy_relationship": "child",
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 400 and "请上传授权委托书" in r.get_data(as_text=True)


def test_the_window_records_a_son_signing_on_paper(app, as_clerk, app_journey):
    case_id = app_journey.case_in("consultation")
    r = as_clerk.post(
        f"/staff/cases/{case_id}/votes",
        data={
            "room": "201",
            "choice": "agree",
            "signature": "刘明",
            "proxy_relationship": "child",
            "proxy_document": (io.BytesIO(pdf_bytes()), "委托书.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    body = r.get_data(as_text=True)
    assert "刘明（代刘国强签署，附授权委托书）" in body
