"""Issued letters: their files and public verification (DESIGN §5); batch printing is
`services.batches`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..data.models import Case, Letter, User
from ..data.runtime import Runtime
from ..errors import NotFound
from ..papers.letters import KINDS
from ..papers.render import letter_pdf
from ..process.access import LETTER_NOT_FOUND, actor_of, may_read_letters

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LetterFile:
    id: int
    case_id: int
    kind: str
    title: str
    number: str
    filename: str
    data: bytes


def letter_context(rt: Runtime, actor: User | int, letter_id: int) -> dict[str, Any]:
    """The frozen context a letter was rendered from (for the HTML preview)."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        letter = s.get(Letter, letter_id)
        if letter is None or not may_read_letters(user, s.get(Case, letter.case_id)):
            raise NotFound(LETTER_NOT_FOUND)
        return dict(letter.data)


def letter_file(rt: Runtime, actor: User | int, letter_id: int) -> LetterFile:
    with rt.db.session() as s:
        user = actor_of(s, actor)
        letter = s.get(Letter, letter_id)
        if letter is None or not may_read_letters(user, s.get(Case, letter.case_id)):
            raise NotFound(LETTER_NOT_FOUND)
        meta = (letter.id, letter.case_id, letter.kind, KINDS[letter.kind][0], letter.number)
    data = letter_pdf(rt, letter_id)
    return LetterFile(*meta, filename=f"{meta[3]}{meta[4]}.pdf", data=data)
