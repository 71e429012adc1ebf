"""Letter bytes, in one place (DESIGN §5): a letter is rendered once from the context frozen at
its issue, stored by SHA-256, and never changes; a reprint is the same bytes.

- `render_letter`: the job; renders and stores a letter that has no bytes yet. Safe to run
  twice or from two workers at once: one conditional UPDATE decides which file counts.
- `letter_pdf`: the stored bytes, rendered now if the job has not run yet (or was lost).
- `render_issued`: after a transition committed, its letters go to the queue (or, with none,
  are rendered here).
- `render_missing_letters` schedules a render for every letter still without bytes (the sweep);
  `render_missing_now` renders them here and counts what succeeded and what failed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ..data.models import Letter
from ..errors import NotFound, Unavailable, msg
from ..jobs.queue import schedule, schedule_each

if TYPE_CHECKING:
    from ..data.runtime import Runtime

log = logging.getLogger(__name__)

NOT_RENDERED = msg("not_rendered", "该文书尚未生成 PDF。", "This letter has no PDF yet.")
CANNOT_RENDER = msg(
    "not_rendered",
    "该文书暂时无法生成 PDF，请联系系统管理员。",
    "This letter cannot be turned into a PDF right now; please tell the administrator.",
)


def render_letter(rt: Runtime, letter_id: int) -> bool:
    """Render a letter from its frozen context and store it, once. True if this call stored it."""
    with rt.db.session() as s:
        letter = s.get(Letter, letter_id)
        if letter is None or letter.sha256 or rt.renderer is None:
            return False
        data = dict(letter.data)
    pdf = rt.renderer.letter(data)
    with rt.db.transaction() as s:
        sha = rt.store.record(s, pdf, "application/pdf", rt.clock())
        won = s.execute(
            update(Letter)
            .where(Letter.id == letter_id, Letter.sha256.is_(None))
            .values(sha256=sha)
            .execution_options(synchronize_session=False)
        ).rowcount
    if won:
        log.info(
            "letter %s rendered and stored",
            letter_id,
            extra={"event": "letter_stored", "letter_id": letter_id, "sha256": sha},
        )
    return bool(won)


def letter_pdf(rt: Runtime, letter_id: int) -> bytes:
    """The stored bytes; a letter not rendered yet (its job has not run, or was lost, or no
    renderer was configured then) is rendered once now from its frozen context and stored."""
    with rt.db.session() as s:
        letter = s.get(Letter, letter_id)
        if letter.sha256:
            return rt.store.read(letter.sha256)
    if rt.renderer is None:
        raise NotFound(NOT_RENDERED)
    try:
        # The same job the queue runs: a concurrent job or reader storing first wins.
        render_letter(rt, letter_id)
    except Exception as exc:
        log.exception("letter %s could not be rendered", letter_id)
        raise Unavailable(CANNOT_RENDER) from exc
    with rt.db.session() as s:
        return rt.store.read(s.get(Letter, letter_id).sha256)


def render_issued(rt: Runtime, letter_ids: list[int]) -> None:
    """A committed transition's letters, made outside its transaction: handed to the runtime's
    job scheduler (the serving process's own queue by default, Redis workers with REDIS_URL), or
    rendered here when the runtime has none. A fault is logged and left to the sweep and the
    first download."""
    if getattr(rt, "jobs", None) is not None:
        for letter_id in letter_ids:
            schedule(rt, "render_letter", letter_id)
        return
    if rt.renderer is None:
        return
    for letter_id in letter_ids:
        try:
            render_letter(rt, letter_id)
        except Exception:  # noqa: BLE001 - the letter stands; its PDF can be made later
            log.exception("letter %s could not be rendered after its transaction", letter_id)


def _missing(rt: Runtime, older_than: timedelta):
    cutoff = rt.clock() - older_than
    return (
        select(Letter.id)
        .where(Letter.sha256.is_(None), Letter.issued_at <= cutoff)
        .order_by(Letter.id)
    )


def render_missing_letters(rt: Runtime, older_than: timedelta = timedelta(0)) -> int:
    """Schedule a render for every letter still without bytes (issued before `older_than` ago,
    so that letters whose own job is about to run are left to it). Returns how many."""
    if rt.renderer is None:
        return 0
    return schedule_each(rt, "render_letter", _missing(rt, older_than), "letters without bytes")


def render_missing_now(rt: Runtime) -> tuple[int, list[tuple[int, str]]]:
    """Render here every letter still without bytes: how many were stored, and each failure
    (letter id, what went wrong). A count printed from this counts what succeeded."""
    if rt.renderer is None:
        return 0, []
    with rt.db.session() as s:
        ids = list(s.scalars(_missing(rt, timedelta(0))))
    stored, failed = 0, []
    for letter_id in ids:
        try:
            if render_letter(rt, letter_id):
                stored += 1
        except Exception as exc:  # noqa: BLE001 - counted and reported by the caller
            log.exception("letter %s could not be rendered", letter_id)
            failed.append((letter_id, f"{exc.__class__.__name__}: {exc}"))
    return stored, failed
