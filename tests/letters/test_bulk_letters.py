"""Letters made by the bulk generator (`flask --app web demo --cases N`) are letters like any
other: their frozen context holds what their kind needs, and each renders to a PDF."""

from __future__ import annotations

from sqlalchemy import select

from workflow.data.models import Letter
from workflow.demo.bulk import generate
from workflow.papers import letters

from ..conftest import make_app
from ..journey import make_people


def test_every_letter_the_bulk_generator_makes_renders(tmp_path, clock):
    app = make_app(tmp_path, clock, RENDER_PDF=True)
    rt = app.extensions["jiati"]
    make_people(rt)
    generate(rt, 60, seed=3)
    with rt.db.session() as s:
        made = [(x.id, x.kind, dict(x.data)) for x in s.scalars(select(Letter))]
    kinds = {kind for _, kind, _ in made}
    assert {"acceptance_notice", "approval_decision", "correction_notice"} <= kinds
    assert [
        (i, letters.missing_keys(data)) for i, _, data in made if letters.missing_keys(data)
    ] == []
    # One of each kind through the real renderer (every letter would cost a minute here).
    first = {}
    for letter_id, kind, _ in made:
        first.setdefault(kind, letter_id)
    for kind, letter_id in sorted(first.items()):
        pdf = rt.renderer.letter(made[[m[0] for m in made].index(letter_id)][2])
        assert pdf.startswith(b"%PDF-"), kind


def test_the_worker_without_a_queue_counts_the_letters_it_stored(tmp_path, clock):
    app = make_app(tmp_path, clock, RENDER_PDF=True)
    rt = app.extensions["jiati"]
    make_people(rt)
    generate(rt, 4, seed=11)
    with rt.db.session() as s:
        waiting = len(s.scalars(select(Letter.id).where(Letter.sha256.is_(None))).all())
    assert waiting > 0
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert f"{waiting} letter(s) rendered and stored" in result.output
    with rt.db.session() as s:
        assert s.scalars(select(Letter.id).where(Letter.sha256.is_(None))).all() == []


def test_the_worker_says_which_letters_failed_and_exits_non_zero(tmp_path, clock):
    app = make_app(tmp_path, clock, RENDER_PDF=True)
    rt = app.extensions["jiati"]
    make_people(rt)
    generate(rt, 4, seed=11)
    with rt.db.transaction() as s:
        broken = s.scalars(select(Letter).where(Letter.sha256.is_(None))).first()
        broken.data = {**broken.data, "verify_url": ""}  # a context that cannot be rendered
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code != 0
    assert f"letter {broken.id} not rendered" in result.output
    assert "1 letter(s) could not be rendered" in result.output
