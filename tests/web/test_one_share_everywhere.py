"""No vote stands on a figure its signer did not see: the share an owner reads on the signing
page is the share the owners' agreement and the posted notice print (DESIGN §3.2)."""

from __future__ import annotations

import re

from workflow import services
from workflow.read import cases as queries
from workflow.rules.money import yuan

from ..conftest import login


def test_the_signers_share_is_the_agreements_and_the_notices(client, app, app_people, app_journey):
    rt = app.extensions["jiati"]
    case_id = app_journey.case_in("publicity")  # every household agreed
    c = queries.describe_case(rt, app_people.owner.id, case_id)
    top = next(h for h in c["households"] if h["room"] == "601")
    share = f"{yuan(c['costs']['shares_fen'][str(top['id'])])}"
    link = next(
        x for x in services.signing_links(rt, app_people.owner.id, case_id) if x["room"] == "601"
    )

    signing = client.get(f"/sign/{link['token']}").get_data(as_text=True)
    login(client, app_people.owner.username)
    agreement = client.get(f"/cases/{case_id}/documents/owners_agreement/preview")
    notice = client.get(f"/my/cases/{case_id}/notice/print")

    assert share != "0.00"
    assert f"{share} 元" in signing
    assert share in agreement.get_data(as_text=True)
    assert share in notice.get_data(as_text=True)
    for page in (signing, agreement.get_data(as_text=True), notice.get_data(as_text=True)):
        assert not re.search(r"(?<![\d,.])0\.00 ?元", page)


def test_starting_the_consultation_without_an_estimate_says_what_is_missing(
    app, app_people, as_owner
):
    from ..journey import application

    rt = app.extensions["jiati"]
    case_id = services.create_case(rt, app_people.owner.id, application(estimated_cost=None))
    r = as_owner.post(f"/my/cases/{case_id}/act/start_consultation", data={}, follow_redirects=True)
    assert "请先填写预计总造价" in r.get_data(as_text=True)
