"""The guide is generated from the declaration and the settings: change them, the guide follows.
The calculator's shares are the cost-sharing rule's, to the fen."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.data.settings import Settings
from workflow.papers import documents
from workflow.process import machine
from workflow.read import guide
from workflow.rules import cost, quorum, subsidy


def _step(g: guide.Guide, trigger: str) -> guide.Step:
    return next(s for s in g.steps + g.other_steps if s.trigger == trigger)


def test_materials_are_the_declared_four_documents(monkeypatch):
    g = guide.build(Settings())
    assert [m["label"] for m in g.materials] == [documents.KINDS[k].label for k in documents.FOUR]
    monkeypatch.setattr(documents, "FOUR", ("application_form", "design_plan"))
    g = guide.build(Settings())
    assert [m["kind"] for m in g.materials] == ["application_form", "design_plan"]
    assert "owners_agreement" in [m["kind"] for m in g.later_materials]


def test_a_renamed_document_kind_is_renamed_in_the_guide(monkeypatch):
    kinds = dict(documents.KINDS)
    kinds["design_plan"] = replace(kinds["design_plan"], label="设计图纸和结构安全鉴定")
    monkeypatch.setattr(documents, "KINDS", kinds)
    labels = [m["label"] for m in guide.build(Settings()).materials]
    assert "设计图纸和结构安全鉴定" in labels


def test_every_declared_transition_appears_once_with_who_acts():
    g = guide.build(Settings())
    listed = [s.trigger for s in g.steps + g.other_steps]
    assert sorted(listed) == sorted(machine.TRANSITION)
    assert [s.trigger for s in g.steps][:3] == [
        "start_consultation",
        "finish_consultation",
        "submit",
    ]
    assert _step(g, "accept").who == "政务服务窗口"
    assert "住建部门" in _step(g, "approve").who
    assert _step(g, "approve").letter == "准予加装电梯决定书"


def test_a_new_transition_in_the_declaration_shows_in_the_guide(monkeypatch):
    extra = machine.Transition(
        "hold_hearing",
        ("review",),
        "review",
        frozenset({"lead_approver"}),
        "组织听证",
        "Hold a hearing",
    )
    monkeypatch.setattr(machine, "TRANSITIONS", machine.TRANSITIONS + (extra,))
    g = guide.build(Settings())
    assert _step(g, "hold_hearing").label == "组织听证"


def test_time_limits_follow_the_settings():
    before = guide.build(Settings())
    assert _step(before, "accept").time_limit == "2 个工作日"
    assert _step(before, "approve").time_limit == "10 个工作日"
    assert _step(before, "submit").time_limit == "公示期 10 日届满后"
    after = guide.build(
        replace(Settings(), acceptance_workdays=3, review_workdays=15, publicity_days=7)
    )
    assert _step(after, "accept").time_limit == "3 个工作日"
    assert _step(after, "approve").time_limit == "15 个工作日"
    assert _step(after, "submit").time_limit == "公示期 7 日届满后"
    assert dict(after.time_limits)["受理"].startswith("3 个工作日")


def test_departments_and_authority_come_from_the_settings():
    g = guide.build(
        replace(
            Settings(),
            authority_name="某县住房和城乡建设局",
            required_departments=("housing", "market"),
        )
    )
    assert g.authority == "某县住房和城乡建设局"
    assert g.reviewers == "联合审查部门（住建部门、市场监管部门）"
    assert g.departments == "住建部门、市场监管部门"


def test_subsidy_tiers_follow_the_settings():
    assert guide.build(Settings()).subsidy_tiers == (
        ("6 层及以上", "100,000.00 元/部"),
        ("5 层", "90,000.00 元/部"),
        ("4 层及以下", "80,000.00 元/部"),
    )
    tiers = ((7, 120_000), (4, 90_000), (0, 50_000))
    assert guide.build(replace(Settings(), subsidy_tiers=tiers)).subsidy_tiers == (
        ("7 层及以上", "120,000.00 元/部"),
        ("4–6 层", "90,000.00 元/部"),
        ("3 层及以下", "50,000.00 元/部"),
    )


def test_quorum_rule_is_in_words_and_its_example_is_judged_by_the_real_rule():
    g = guide.build(Settings())
    assert "三分之二以上" in g.quorum_rule[0] and "四分之三以上" in g.quorum_rule[1]
    ex = g.quorum_example
    assert (ex["households"], ex["voted"], ex["agreed"]) == (12, 8, 6)
    assert ex["participation_count"] == "66.67%" and ex["met"] is True
    stricter = guide.build(replace(Settings(), agreement=Fraction(4, 5)))
    assert "五分之四以上" in stricter.quorum_rule[1]
    assert stricter.quorum_example["agreed"] == 7


def test_remedies_name_the_reconsideration_body_and_court_from_settings_or_defaults():
    g = guide.build(Settings())
    assert "枣阳市人民政府" in g.remedies[0] and "六十日" in g.remedies[0]

    g = guide.build(replace(Settings(), reconsideration_body="某市人民政府", court="某市人民法院"))
    assert "某市人民政府" in g.remedies[0] and "某市人民法院" in g.remedies[0]


def test_local_rules_come_from_the_policy_list():
    policy = {
        "title": "某市既有住宅加装电梯实施办法",
        "issuer": "某市人民政府",
        "issued_on": "2024-05-01",
    }
    g = guide.build(Settings(), policies=[policy])
    assert ("某市既有住宅加装电梯实施办法", "某市人民政府 2024-05-01") in g.legal_basis
    assert any("民法典》第二百七十八条" in t for t, _ in g.legal_basis)


# --- the calculator ---------------------------------------------------------------------------


def _form(floors, per_floor, areas, cost_yuan, coefficients=None) -> dict[str, str]:
    data = {
        "floors": str(floors),
        "per_floor": str(per_floor),
        "same_area": "",
        "estimated_cost": str(cost_yuan),
    }
    for (f, i), a in areas.items():
        data[f"area-{f}-{i}"] = str(a)
    for f, c in (coefficients or {}).items():
        data[f"coef-{f}"] = str(c)
    return data


def test_same_area_everywhere_fills_every_household():
    building, errors = guide.parse_building(
        {"floors": "6", "per_floor": "2", "same_area": "85.20", "estimated_cost": "450000"}
    )
    assert errors == {}
    assert len(building.areas) == 12 and set(building.areas.values()) == {Decimal("85.20")}


def test_every_problem_is_named_by_its_field():
    building, errors = guide.parse_building(
        {"floors": "1", "per_floor": "x", "same_area": "-3", "estimated_cost": "abc"}
    )
    assert building is None
    assert set(errors) == {"floors", "per_floor", "same_area", "estimated_cost"}


def test_a_six_floor_building_shares_the_cost_after_the_subsidy():
    building, _ = guide.parse_building(
        {"floors": "6", "per_floor": "2", "same_area": "85", "estimated_cost": "450000"}
    )
    est = guide.estimate(building, Settings())
    assert est.subsidy_fen == 10_000_000 and est.to_share_fen == 35_000_000
    assert est.shares[(1, 1)] == 0 and est.shares[(6, 1)] == 5_147_059
    assert sum(est.shares.values()) == 35_000_000
    assert est.need["participation_households"] == 8 and est.need["agreement_households"] == 9
    assert est.need["participation_area"] == "680.00"


buildings = st.integers(2, 9).flatmap(
    lambda floors: st.tuples(
        st.just(floors),
        st.integers(1, 4).flatmap(
            lambda per_floor: st.tuples(
                st.just(per_floor),
                st.lists(
                    st.integers(2_000, 20_000),  # hundredths of m²: 20.00–200.00
                    min_size=floors * per_floor,
                    max_size=floors * per_floor,
                ),
            )
        ),
        st.integers(1, 200_000_000),  # fen
        st.lists(st.integers(0, 300), min_size=floors, max_size=floors),  # hundredths
    )
)


@settings(max_examples=60, deadline=None)
@given(buildings, st.booleans())
def test_calculator_shares_are_the_cost_sharing_rule_to_the_fen(building, edit_coefficients):
    floors, (per_floor, hundredths), cost_fen, coef_hundredths = building
    keys = [(f, i) for f in range(1, floors + 1) for i in range(1, per_floor + 1)]
    areas = {k: Decimal(h).scaleb(-2) for k, h in zip(keys, hundredths, strict=True)}
    coefficients = (
        {
            f: Decimal(c).scaleb(-2)
            for f, c in zip(range(1, floors + 1), coef_hundredths, strict=True)
        }
        if edit_coefficients
        else cost.default_coefficients(floors)
    )
    yuan_text = f"{cost_fen // 100}.{cost_fen % 100:02d}"
    parsed, errors = guide.parse_building(_form(floors, per_floor, areas, yuan_text, coefficients))
    assert errors == {}
    est = guide.estimate(parsed, Settings())

    expected_subsidy = subsidy.subsidy_cap(floors, cost_fen, Settings().subsidy_tiers_fen)
    assert est.subsidy_fen == expected_subsidy
    to_share = cost_fen - expected_subsidy
    weights = [(k, cost.weight(coefficients[k[0]], areas[k])) for k in keys]
    if to_share and any(w for _, w in weights):
        assert est.shares == cost.share_costs(to_share, weights)
        assert sum(est.shares.values()) == to_share
    else:
        assert set(est.shares.values()) == {0} and est.note


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(2_000, 20_000), min_size=2, max_size=24))
def test_the_quorum_quoted_is_exactly_what_the_rule_needs(hundredths):
    """Everyone agreeing beyond the quoted count passes when the areas are equal; one fewer
    household never does."""
    areas = [Decimal(h).scaleb(-2) for h in hundredths]
    need = guide.quorum_needed(areas, Settings())
    k = need["participation_households"]
    # The k largest flats taking part and agreeing meet the count rule; k − 1 never do.
    largest = sorted(range(len(areas)), key=lambda i: -areas[i])
    ballots = [
        quorum.Ballot(a, quorum.AGREE if i in largest[:k] else None) for i, a in enumerate(areas)
    ]
    assert quorum.consent_quorum(ballots).participation_count >= Fraction(2, 3)
    fewer = [
        quorum.Ballot(a, quorum.AGREE if i in largest[: k - 1] else None)
        for i, a in enumerate(areas)
    ]
    assert quorum.consent_quorum(fewer).participation_count < Fraction(2, 3)
    assert Decimal(need["participation_area"]) >= sum(areas) * 2 / 3


def test_the_guide_shows_the_residents_step_from_the_declaration():
    from workflow.data.settings import Settings
    from workflow.read import guide

    others = {s.trigger: s for s in guide.other_steps(Settings())}
    assert others["return_for_rectification"].label == "退回整改"
    later = {row["kind"]: row for row in guide.materials()[1]}
    assert later["resident_acceptance"]["label"] == "竣工居民验收意见表"
