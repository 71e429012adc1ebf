"""The input policy: what any text, date or amount must be before it reaches the records.

One policy for every way in. The HTML pages apply it to each form field and query argument
(`web.inputs`), the JSON API through its pydantic models (`web.api.models`), the command line
through its options; the services apply the date and money ranges, which need the field's
meaning. Refusals name the field, in Chinese first.

Why: PostgreSQL cannot store NUL in text (a NUL gave a 500 there and was stored silently on
SQLite); other control characters and lone surrogates corrupt letters and exports; the same
name typed on two keyboards must compare equal (NFC).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from .errors import InvalidInput, msg

# Tab, line feed and carriage return (browsers send text areas with CR LF) are text.
ALLOWED_CONTROLS = frozenset("\t\n\r")
# Bidirectional overrides and isolates reorder what a reader sees (Trojan Source, CVE-2021-42574).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")

TEXT_MAX = 20_000  # any one text value; fields have their own, smaller bounds
SIGNATURE_IMAGE_MAX = 700_000  # a drawn signature as a data: URL
LONG_FIELDS = {"signature_image": SIGNATURE_IMAGE_MAX}

# Money: an elevator costs some hundred thousand yuan; a figure above ten million yuan is a
# typing error, and stays far below the 32-bit integer columns that hold fen.
MONEY_MAX_FEN = 10_000_000 * 100

# Dates: how far from today each kind of date may sensibly lie, in years (before, after).
DATE_YEARS: dict[str, tuple[int, int]] = {
    "start_date": (5, 5),  # construction starts
    "holiday": (30, 10),  # the calendar of years chinese_calendar does not cover
    "held_on": (2, 1),  # a mediation session
}
DEFAULT_DATE_YEARS = (100, 20)


def bad_character(value: str) -> str | None:
    """The first character the policy refuses in `value`, or None."""
    for ch in value:
        cat = unicodedata.category(ch)
        if (cat == "Cc" and ch not in ALLOWED_CONTROLS) or cat == "Cs":
            return ch
    return None


def _refuse(field: str, label: str, zh: str, en: str) -> InvalidInput:
    name = label or field
    if not name:  # the caller names the field itself (the API prefixes its path)
        return InvalidInput(msg(field, zh, en))
    return InvalidInput(msg(field, f"「{name}」{zh}", f"{name}: {en}"))


def text(value: str, *, field: str, label: str = "", max_length: int = TEXT_MAX) -> str:
    """`value` normalised to NFC; refused if it carries control characters or is too long."""
    ch = bad_character(value)
    if ch is not None:
        raise _refuse(
            field,
            label,
            f"含有不允许的控制字符（U+{ord(ch):04X}），请删除后重新填写。",
            f"contains a control character (U+{ord(ch):04X}); remove it.",
        )
    value = unicodedata.normalize("NFC", value)
    if len(value) > max_length:
        raise _refuse(
            field,
            label,
            f"太长：最多 {max_length} 个字符。",
            f"too long: at most {max_length} characters.",
        )
    return value


def max_length_of(field: str) -> int:
    return LONG_FIELDS.get(field.rsplit("-", 1)[-1], TEXT_MAX)


def deep(value: Any, *, field: str = "") -> Any:
    """Every string inside a JSON-like value checked and normalised (keys included)."""
    if isinstance(value, str):
        return text(value, field=field or "body", max_length=max_length_of(field))
    if isinstance(value, Mapping):
        return {
            text(str(k), field=f"{field}.{k}" if field else str(k), max_length=200): deep(
                v, field=f"{field}.{k}" if field else str(k)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [deep(v, field=f"{field}[{i}]") for i, v in enumerate(value)]
    return value


def day(value: date, *, field: str, label: str = "", today: date) -> date:
    """A date within the sane range for its field (`DATE_YEARS`)."""
    before, after = DATE_YEARS.get(field, DEFAULT_DATE_YEARS)
    low = _years_from(today, -before)
    high = _years_from(today, after)
    if not low <= value <= high:
        raise _refuse(
            field,
            label,
            f"日期须在 {low.isoformat()} 至 {high.isoformat()} 之间。",
            f"must lie between {low.isoformat()} and {high.isoformat()}.",
        )
    return value


def _years_from(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a year without one
        return d.replace(year=d.year + years, day=28)


def fen(value: int, *, field: str, label: str = "", positive: bool = False) -> int:
    """An amount in fen within 0 (or 1) … `MONEY_MAX_FEN`."""
    low = 1 if positive else 0
    if not low <= value <= MONEY_MAX_FEN:
        raise _refuse(
            field,
            label,
            f"金额须在 {low / 100:.2f} 至 {MONEY_MAX_FEN // 100:,} 元之间。",
            f"must lie between {low / 100:.2f} and {MONEY_MAX_FEN // 100:,} yuan.",
        )
    return value


_UNSAFE_NAME = re.compile(r"[\\/:*?\"<>|]")


def display_filename(name: str, *, max_length: int = 100) -> str:
    """A file name as given, made safe to show: no path, control, bidi or reserved characters.

    Stored files get generated names; this label is only ever displayed or offered as the
    download name."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        ch
        for ch in name
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp")
        and ch not in BIDI_CONTROLS
    )
    kept = _UNSAFE_NAME.sub("_", kept).strip().lstrip(".").strip()
    if len(kept) > max_length:
        stem, dot, ext = kept.rpartition(".")
        kept = (
            (stem[: max_length - len(ext) - 1] + dot + ext)
            if dot and len(ext) <= 10
            else kept[:max_length]
        )
    return kept or "file"
