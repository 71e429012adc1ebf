from workflow import services


def test_the_whole_happy_path_reaches_subsidy_approved(rt, journey, people):
    case_id = journey.case_in("subsidy_approved")
    with rt.db.session() as s:
        from workflow.data.models import Case

        case = s.get(Case, case_id)
        assert case.state == "subsidy_approved"
        assert case.subsidy_fen == 10_000_000
        assert [x.kind for x in case.letters] == [
            "acceptance_notice",
            "approval_decision",
            "subsidy_notice",
        ]
    assert services.actions(rt, people.owner.id, case_id) == []
