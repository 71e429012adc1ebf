"""An agent files for the unit; a daughter signs for her father with his power of attorney."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workflow import services
from workflow.data.models import Case, Event, Vote
from workflow.errors import Conflict, InvalidInput, NotFound, UnsupportedFile
from workflow.papers import documents

from ..journey import ROSTER, pdf_bytes


def test_an_agent_is_recorded_with_its_authorisation(rt, journey):
    case_id = journey.new_case()
    services.record_agent(
        rt,
        journey.p.owner.id,
        case_id,
        kind="community",
        name="翠湖社区居委会",
        document=pdf_bytes(),
    )
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        assert (case.agent_kind, case.agent_name) == ("community", "翠湖社区居委会")
        assert rt.store.read(case.agent_document).startswith(b"%PDF")
        event = s.scalars(select(Event).where(Event.kind == "agent_recorded")).one()
        assert event.payload["name"] == "翠湖社区居委会"
    assert services.agent_label("community", "翠湖社区居委会") == "翠湖社区居委会（社区，代办人）"


def test_an_agent_needs_its_kind_name_and_paper(rt, journey):
    case_id = journey.new_case()
    with pytest.raises(InvalidInput) as refused:
        services.record_agent(rt, journey.p.owner.id, case_id, kind="bank", name="", document=None)
    assert {m.code for m in refused.value.messages} == {"agent_kind", "agent_name"}
    with pytest.raises(UnsupportedFile):
        services.record_agent(
            rt, journey.p.owner.id, case_id, kind="property", name="安居物业", document=b"x"
        )
    with pytest.raises(NotFound):  # a stranger does not even see the case
        services.record_agent(
            rt, journey.p.neighbour.id, case_id, kind="owner", name="张", document=pdf_bytes()
        )


def _sign_for_father(rt, link, **over):
    kw = dict(
        owner_name=link["owner_name"],
        phone_tail=link["phone"][-4:],
        choice="agree",
        signature="李小红",
        proxy=services.Proxy("李小红", "child", pdf_bytes()),
    )
    kw.update(over)
    return services.sign(rt, link["token"], **kw)


def test_a_daughter_signs_for_her_father_and_the_household_counts_once(rt, journey):
    case_id = journey.case_in("consultation")
    link = services.signing_links(rt, journey.p.owner.id, case_id)[0]
    _sign_for_father(rt, link)
    with rt.db.session() as s:
        (vote,) = s.scalars(select(Vote).where(Vote.case_id == case_id))
        assert vote.signed_as == f"李小红（代{ROSTER[0]['owner_name']}签署，附授权委托书）"
        assert rt.store.read(vote.proxy_document).startswith(b"%PDF")
        event = s.scalars(select(Event).where(Event.kind == "vote")).one()
        assert event.payload["signed_by"] == vote.signed_as
        # The application form and the owners' agreement print who signed for whom.
        for kind in documents.GENERATED:
            data = documents.document_context(s.get(Case, case_id), kind, rt.settings, "2026-11-23")
            if "households" in data:
                assert data["households"][0]["signature_name"] == vote.signed_as
    # The household has voted: nobody signs for it again, neither the owner nor the daughter.
    with pytest.raises(Conflict):
        _sign_for_father(rt, link)


def test_signing_for_an_owner_needs_the_relationship_and_the_power_of_attorney(rt, journey):
    case_id = journey.case_in("consultation")
    link = services.signing_links(rt, journey.p.owner.id, case_id)[0]
    with pytest.raises(InvalidInput) as refused:
        _sign_for_father(rt, link, proxy=services.Proxy("李小红", "", pdf_bytes()))
    assert "proxy_relationship" in {m.code for m in refused.value.messages}
    with pytest.raises(InvalidInput):
        _sign_for_father(rt, link, proxy=services.Proxy("李小红", "child", b""))
    with pytest.raises(InvalidInput) as refused:
        _sign_for_father(rt, link, signature=link["owner_name"])  # signs as the father
    assert "signature" in {m.code for m in refused.value.messages}


def test_the_window_records_a_son_signing_on_paper_with_the_document(rt, journey):
    case_id = journey.case_in("consultation")
    clerk = journey.p.clerk.id
    with pytest.raises(InvalidInput):
        services.record_paper_vote(
            rt,
            clerk,
            case_id,
            room="201",
            choice="agree",
            signature="刘明",
            proxy_relationship="child",
        )
    sha = services.store_scan(rt, clerk, pdf_bytes())
    services.record_paper_vote(
        rt,
        clerk,
        case_id,
        room="201",
        choice="agree",
        signature="刘明",
        proxy_relationship="child",
        proxy_document=sha,
    )
    with rt.db.session() as s:
        (vote,) = s.scalars(select(Vote).where(Vote.case_id == case_id))
        assert vote.signed_as == "刘明（代刘国强签署，附授权委托书）"
        assert vote.channel == "paper" and vote.proxy_document == sha
