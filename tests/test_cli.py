"""The command line of DESIGN §7."""

from sqlalchemy import text


def test_init_db_migrates_and_demo_loads_once(runner, app):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "clerk / jiati-demo-2026" in first.output
    again = runner.invoke(args=["demo"])
    assert "已存在" in again.output
    with app.extensions["jiati"].db.session() as s:
        states = {r[0] for r in s.execute(text("SELECT DISTINCT state FROM cases"))}
    assert {
        "draft",
        "review",
        "subsidy_approved",
        "subsidy_paid",
        "rejected",
        "withdrawn",
        "not_accepted",
    } <= states


def test_demo_lives_in_zaoyang_and_each_applicant_owns_a_flat_of_the_unit(runner, app):
    from workflow.data.models import Case

    runner.invoke(args=["init-db"])
    runner.invoke(args=["demo"])
    with app.extensions["jiati"].db.session() as s:
        for case in s.query(Case):
            assert case.address.startswith("枣阳市") and "街道" in case.address, case.address
            applicant = case.applicant.name
            assert applicant in [h.owner_name for h in case.households], case.reference
            if case.payee:
                assert case.payee.startswith(applicant) and "枣阳支行" in case.payee


def test_user_create_and_its_refusals(runner, app):
    runner.invoke(args=["init-db"])
    ok = runner.invoke(args=["user", "create", "--username", "li", "--password", "long-enough-1",
                             "--role", "approver", "--department", "planning", "--name", "李"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    dup = runner.invoke(
        args=[
            "user",
            "create",
            "--username",
            "li",
            "--password",
            "long-enough-1",
            "--role",
            "clerk",
        ]
    )
    assert dup.exit_code != 0 and "已注册" in dup.output
    bad = runner.invoke(
        args=["user", "create", "--username", "x", "--password", "short", "--role", "approver"]
    )
    assert bad.exit_code != 0 and "密码至少 10 位" in bad.output and "部门" in bad.output


def test_a_mediator_is_created_for_one_street(runner, app):
    runner.invoke(args=["init-db"])
    ok = runner.invoke(args=["user", "create", "--username", "zhou", "--password", "long-enough-1",
                             "--role", "mediator", "--street", "南城街道", "--name", "周"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    from sqlalchemy import select

    from workflow.data.models import User

    with app.extensions["jiati"].db.session() as s:
        user = s.scalar(select(User).where(User.username == "zhou"))
        assert (user.role, user.street) == ("mediator", "南城街道")


def test_audit_verify_exits_non_zero_on_a_broken_link(runner, app):
    runner.invoke(args=["init-db"])
    runner.invoke(args=["demo"])
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with app.extensions["jiati"].db.transaction() as s:
        s.execute(text("UPDATE events SET actor_name = 'someone else' WHERE id = 5"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken link" in result.output


def test_diagram_as_mermaid_and_svg(runner, app, tmp_path):
    mermaid = runner.invoke(args=["diagram"])
    assert "review --> approved : approve" in mermaid.output
    out = tmp_path / "machine.svg"
    svg = runner.invoke(args=["diagram", "--format", "svg", "-o", str(out)])
    assert svg.exit_code == 0, svg.output
    assert "<svg" in out.read_text() and "联合审查" in out.read_text()


def test_deadlines_lists_the_cases_due_and_who_must_act(app, runner, app_journey):
    app_journey.case_in("submitted")  # acceptance due 2026-11-25
    result = runner.invoke(args=["deadlines", "--date", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert "待受理\t已超期\t2026-11-25\t-1\tclerk" in result.output
    assert "1 件需要关注" in result.output
    again = runner.invoke(args=["deadlines", "--date", "2026-11-26"])
    assert "今日已记录" in again.output


def test_user_create_refuses_control_characters_naming_the_option(runner, app):
    runner.invoke(args=["init-db"])
    bad = runner.invoke(args=["user", "create", "--username", "li\x00si",
                              "--password", "long-enough-1", "--role", "clerk"])  # fmt: skip
    assert bad.exit_code != 0 and "username" in bad.output and "控制字符" in bad.output


def test_audit_verify_names_the_case_and_file_whose_bytes_changed(runner, app):
    from sqlalchemy import select

    from workflow.data.models import Case, Document

    runner.invoke(args=["init-db"])
    runner.invoke(args=["demo"])
    rt = app.extensions["jiati"]
    with rt.db.session() as s:
        doc = s.scalars(select(Document).where(Document.source == "uploaded")).first()
        reference = s.get(Case, doc.case_id).reference
        path = rt.store.path(doc.sha256)
    path.write_bytes(path.read_bytes() + b"%tampered")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "altered" in result.output and reference in result.output
    assert f"document {doc.id}" in result.output
