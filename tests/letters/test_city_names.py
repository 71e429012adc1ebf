"""The city's names are settings: another county of the province runs the same software and
its letters carry only its own names (DESIGN §1)."""

import subprocess

import pytest

from workflow import services
from workflow.data.models import Letter

from ..conftest import make_app
from ..journey import Journey, make_people


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return "".join(out.stdout.decode().split())


@pytest.fixture
def yicheng(tmp_path, clock):
    """宜城市, configured by its name alone (FLASK_CITY_NAME=宜城市)."""
    app = make_app(
        tmp_path,
        clock,
        RENDER_PDF=True,
        CITY_NAME="宜城市",
        PUBLIC_BASE_URL="https://jiati.yc.gov.cn",
    )
    yield app.extensions["jiati"]
    app.extensions["jiati"].db.dispose()


def test_a_second_city_prints_only_its_own_names(yicheng):
    rt = yicheng
    people = make_people(rt)
    journey = Journey(rt, people)
    journey.payee = "李秀英（301室业主），中国工商银行宜城支行 6222 0218 0600 4321"
    where = {"community": "襄江花园", "address": "宜城市鄢城街道襄沙大道 8 号"}
    subsidised = journey.case_in("subsidy_approved", **where)
    refused = journey.case_in("review", **where)
    services.give_opinion(rt, people.housing.id, refused, verdict="agree", comment="同意")
    services.give_opinion(rt, people.planning.id, refused, verdict="disagree", comment="间距不足")
    services.give_opinion(rt, people.market.id, refused, verdict="agree", comment="同意")
    services.fire(rt, people.housing.id, refused, "reject", {"reasons": "与北侧住宅间距不足"})

    with rt.db.session() as s:
        issued = s.query(Letter).filter(Letter.case_id.in_([subsidised, refused])).all()
        letters = {x.kind: (x.number, pdf_text(rt.store.read(x.sha256))) for x in issued}

    assert set(letters) == {
        "acceptance_notice", "approval_decision", "subsidy_notice", "rejection_decision"
    }  # fmt: skip
    for kind, (number, text) in letters.items():
        assert number.startswith("宜城住建梯"), kind
        assert "宜城市住房和城乡建设局" in text, kind
        assert "枣阳" not in text and "枣阳" not in number, kind
    for kind in ("rejection_decision", "subsidy_notice"):
        text = letters[kind][1]
        assert "宜城市人民政府" in text and "宜城市人民法院" in text, kind
    assert "宜城市自然资源和规划局：不同意" in letters["rejection_decision"][1]
