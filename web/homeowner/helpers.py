"""Small things the homeowner's and the public pages share: language, QR codes, errors."""

from __future__ import annotations

from typing import Any

import segno
from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from workflow.data.runtime import Runtime
from workflow.errors import Message

from ..extensions import say


def rt() -> Runtime:
    return current_app.extensions["jiati"]


def english() -> bool:
    return str(get_locale()) == "en"


def pick(data: dict[str, Any], key: str) -> str:
    """`data[key]`, or its English twin `key_en` when the reader chose English."""
    if english() and data.get(f"{key}_en"):
        return data[f"{key}_en"]
    return data.get(key) or ""


def blocked_text(blocked: dict[str, str]) -> str:
    """A `blocked_by` entry of describe_case (as_dict) in the reader's language."""
    return blocked.get("message_en") if english() else blocked.get("message", "")


def qr_svg(url: str, scale: int = 4) -> Markup:
    # make_qr, never make: segno.make picks a Micro QR for short data, which phones can't read.
    return Markup(segno.make_qr(url, error="m").svg_inline(scale=scale, omitsize=True))  # nosec B704  # SVG made by segno, data escaped by it


def _field_for(form: Any, code: str) -> Any:
    """The form field a message code names: "floors", "households.2.area", …"""
    parts = code.split(".")
    field = getattr(form, parts[0], None)
    if field is None or not hasattr(field, "errors"):
        return None
    if len(parts) == 3 and hasattr(field, "entries"):
        try:
            row = field.entries[int(parts[1])]
        except (ValueError, IndexError):
            return None
        return getattr(row.form, parts[2], None)
    return field


def show_errors(form: Any, messages: tuple[Message, ...]) -> list[tuple[str | None, str]]:
    """Put each refusal beside its field; return the summary shown at the top of the page."""
    summary = []
    for m in messages:
        text = say(m)
        field = _field_for(form, m.code) if form is not None else None
        if field is not None:
            field.errors = [*field.errors, text]
            summary.append((field.id, text))
        else:
            summary.append((None, text))
    return summary
