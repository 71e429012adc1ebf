"""Letters and generated documents, from plain dicts to HTML and PDF. No database, no Flask.

One template per official document (``web/templates/letters/<kind>.html``,
``web/templates/documents/<kind>.html``) serves both the HTML preview and the PDF. This module
only formats what the workflow decided: dates, money, labels, the QR code.

API
---
``render_letter(ctx) -> bytes`` and ``letter_html(ctx) -> str``; ``render_document(ctx) ->
bytes`` and ``document_html(ctx) -> str``. The same context always gives the same PDF bytes.
A context that lacks what its kind needs raises ``ContextError`` (a ``ValueError``) listing
every missing key; so does, for the PDF, a character no installed face can draw (it would
print as a box). ``check_fonts()`` (from ``web.pdf.fonts``) is the start-up check.

Letter context (``ctx["kind"]`` picks the template)
---------------------------------------------------
What every letter's context holds, and what each kind adds, is declared once where letters are
made: ``workflow.papers.letters`` (``CONTEXT_KEYS``, ``KIND_KEYS``, the remedies of the adverse
kinds) and written by its ``letter_context``; the kinds and their titles are its ``KINDS``. A
context is checked against that declaration before it is laid out.

Document context
----------------
::

    kind           "application_form" | "owners_agreement" | "publicity_report"
    title          "既有住宅加装电梯申请表"       (default: the kind's name)
    case, applicant                               as for letters
    households     [{"room", "floor": int, "area": "85.20", "owner_name",
                     "choice": "agree"|"object"|"abstain"|None, "signature_name",
                     "signed_at": "YYYY-MM-DD HH:MM", "channel": "online"|"paper"|"",
                     "coefficient": "0.7", "share_fen": int}]
    total_cost_fen, subsidy_fen                   int fen; the owners share
                                                  max(total − subsidy, 0), and the shares
                                                  must add up to exactly that (or all be 0)
    publicity      {"start", "end": "YYYY-MM-DD" or "", "place"}
    objections     [{"household", "text", "lodged_at", "resolution", "resolved_at"}]
    notice_photo   optional: a data:image/… URI, or the image's bytes (PNG, JPEG)
    quorum         optional, as for letters (shown in the owners' agreement)
    generated_on   "YYYY-MM-DD"
    verify_code, verify_url   as for letters; absent in a preview before submission
    mediation      for "mediation_record" only: {"objection": {"household", "text",
                   "lodged_at"}, "referred_on", "sessions": [{"held_on", "place",
                   "attendees": [...], "notes"}], "agreed": bool, "opinion", "mediator",
                   "street", "concluded_on"} (`services.mediation.mediation_facts`)
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from workflow.papers import documents, letters
from workflow.rules.money import capital_yuan, chinese_date, yuan

from . import fonts
from .qr import qr_svg

WEB_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = WEB_DIR / "templates"
STYLESHEET = WEB_DIR / "static" / "print.css"

# The four application documents (DESIGN §4), as acknowledged in the acceptance notice.
MATERIALS = (
    "既有住宅加装电梯申请表",
    "业主意见征询及费用分摊协议",
    "设计方案（含结构安全评估）",
    "公示情况说明",
)
VERDICTS = {"agree": "同意", "disagree": "不同意"}
CHOICES = {"agree": "同意", "object": "反对", "abstain": "弃权", None: "未表决", "": "未表决"}
CHANNELS = {"online": "线上", "paper": "纸质", None: "", "": ""}

_DOCUMENT_KEYS = ("kind", "case", "households")
_CASE_DEFAULTS = {
    "reference": "",
    "community": "",
    "address": "",
    "building": "",
    "unit": "",
    "floors": "",
    "households": "",
}
# Width of the 版心 in points, for sizing the authority's name on one line.
_LINE_PT = 442
_MASTHEAD_MAX_PT = 30


class ContextError(ValueError):
    """The context lacks something its kind must show; the message lists every gap."""


# --- public API -------------------------------------------------------------------------------


def letter_html(context: Mapping[str, Any], *, for_pdf: bool = False) -> str:
    """The letter as HTML, for the preview in the browser (``for_pdf``: as WeasyPrint gets it,
    with the pre-subset faces)."""
    return _html("letters", _letter_view(context), for_pdf=for_pdf)


def render_letter(context: Mapping[str, Any]) -> bytes:
    """The letter as PDF (A4, GB/T 9704 layout), the bytes to store and serve."""
    from .engine import html_to_pdf

    html = letter_html(context, for_pdf=True)
    _refuse_boxes(context)
    return html_to_pdf(html)


def document_html(context: Mapping[str, Any], *, for_pdf: bool = False) -> str:
    """A generated application document as HTML, for the preview (``for_pdf`` as for letters)."""
    return _html("documents", _document_view(context), for_pdf=for_pdf)


def render_document(context: Mapping[str, Any]) -> bytes:
    """A generated application document as PDF."""
    from .engine import html_to_pdf

    html = document_html(context, for_pdf=True)
    _refuse_boxes(context)
    return html_to_pdf(html)


def render_record(context: Mapping[str, Any]) -> bytes:
    """A readable record of the archive (``web/templates/records/<kind>.html``): the audit log
    of a case as it stands in its archive package. Not an official paper: no number, no QR."""
    from .engine import html_to_pdf

    view = dict(context)
    view["stylesheet"] = ""
    html = environment().get_template(f"records/{view['kind']}.html").render(view)
    return html_to_pdf(html)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _refuse_boxes(context: Mapping[str, Any]) -> None:
    """A character no installed face has would print as a box on an official letter: refuse.

    Our templates' own text is covered by the faces; only what the context brings (names,
    addresses, reasons) can hold such a character, e.g. a typing slip or a private-use code.
    """
    chars = {
        c
        for s in _strings({k: v for k, v in context.items() if k != "notice_photo"})
        for c in s
        # Skip spaces and control characters; keep private-use ones, which no face draws.
        if (not c.isspace() and unicodedata.category(c)[0] != "C")
        or unicodedata.category(c) == "Co"
    }
    missing = fonts.uncovered(chars)
    if missing:
        listed = "、".join(f"“{c}”(U+{ord(c):04X})" for c in missing)
        raise ContextError(
            f"以下字符没有可用的字体，打印出来会是方框：{listed}。请核对后改正。"
            f" / No installed font has {', '.join(f'U+{ord(c):04X}' for c in missing)}."
        )


# --- Jinja --------------------------------------------------------------------------------------


def _cn_date(value: str | date) -> str:
    if not value:
        return ""
    return chinese_date(value if isinstance(value, date) else date.fromisoformat(value))


def _cn_numeral(n: int) -> str:
    """1–99 as 一、二…十一…九十九, for headings (一、) and sub-items (（一）)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(int(n), 10)
    if not 0 < n < 100:
        raise ValueError(f"heading number out of range: {n}")
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "")


@cache
def environment() -> jinja2.Environment:
    """Our own environment over web/templates, so rendering needs no Flask app."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        cn_date=_cn_date,
        cn_numeral=_cn_numeral,
        sentence=_sentence,
        yuan=yuan,
        capital_yuan=capital_yuan,
    )
    return env


@cache
def _stylesheet() -> Markup:
    return Markup(STYLESHEET.read_text(encoding="utf-8"))  # nosec B704  # our own stylesheet file


def _html(folder: str, view: dict[str, Any], *, for_pdf: bool) -> str:
    # For the PDF, the engine adds print.css (parsed once) and the pre-subset faces, which are
    # local files only WeasyPrint may load; the preview carries the stylesheet inline.
    view["stylesheet"] = "" if for_pdf else _stylesheet()
    template = environment().get_template(f"{folder}/{view['kind']}.html")
    return template.render(view)


# --- letters --------------------------------------------------------------------------------


def _require(context: Mapping[str, Any], keys: tuple[str, ...], what: str) -> None:
    missing = [k for k in keys if context.get(k) in (None, "", [])]
    if missing:
        raise ContextError(f"{what} context lacks: {', '.join(missing)}")


def _sentence(text: str | None) -> str:
    """Text as a sentence of the letter: stripped, ending with a full stop."""
    text = (text or "").strip()
    if text and text[-1] not in "。！？；.!?;…）)”":
        text += "。"
    return text


def _place(case: Mapping[str, Any]) -> str:
    return "".join(str(case.get(k) or "") for k in ("address", "community", "building", "unit"))


def _verify_base(url: str, code: str) -> str:
    """The address printed for typing the code in: the verify URL without the code."""
    if code and url.rstrip("/").endswith("/" + code):
        return url.rstrip("/")[: -len(code) - 1]
    return url


def _letter_view(context: Mapping[str, Any]) -> dict[str, Any]:
    kind = context.get("kind")
    if kind not in letters.KINDS:
        raise ContextError(f"unknown letter kind {kind!r}; one of {', '.join(letters.KINDS)}")
    missing = letters.missing_keys(dict(context))
    if missing:
        raise ContextError(f"{kind} context lacks: {', '.join(missing)}")
    view = dict(context)
    view["title"] = view.get("title") or letters.KINDS[kind][0]
    view["case"] = {**_CASE_DEFAULTS, **context["case"]}
    view["applicant"] = {"name": "", "phone_masked": "", **(context.get("applicant") or {})}
    view["owners"] = list(context.get("owners") or [])
    view["quorum"] = context.get("quorum") or None
    view["opinions"] = [
        {
            **o,
            "verdict_label": VERDICTS.get(o.get("verdict"), o.get("verdict") or ""),
            "comment": _sentence(o.get("comment")),
        }
        for o in context.get("opinions") or []
    ]
    view["place"] = _place(view["case"])
    # The decisions name the owners' objections and how they were weighed (letters.OPTIONAL_KEYS).
    view["objections"] = list(context.get("objections") or [])
    view["weighing"] = context.get("weighing") or ""
    view["verify_code"] = context.get("verify_code") or ""
    view["verify_base"] = _verify_base(context["verify_url"], view["verify_code"])
    view["qr_svg"] = Markup(qr_svg(context["verify_url"]))  # nosec B704  # SVG made by segno
    view["masthead_pt"] = _masthead_size(context["authority"])
    for key in ("issued_on", "received_on", "review_deadline", "previous_deadline"):
        view[key] = value = context.get(key) or ""
        try:
            date.fromisoformat(value) if value else None
        except ValueError:
            raise ContextError(f"{key} is not a date (YYYY-MM-DD): {value!r}") from None
    view["materials"] = list(context.get("materials") or MATERIALS)
    view["items"] = [_sentence(str(i)) for i in context.get("items") or [] if str(i).strip()]
    view["reasons_paragraphs"] = [
        _sentence(line) for line in str(context.get("reasons") or "").splitlines() if line.strip()
    ]
    view["reconsideration_body"] = context.get("reconsideration_body") or ""
    view["court"] = context.get("court") or ""
    if kind == "subsidy_notice":
        corrects = context.get("corrects") or None
        # A correction states its own reason, which also explains an amount below the cap.
        view["corrects"] = (
            {**corrects, "reason": _sentence(corrects.get("reason"))} if corrects else None
        )
        view["reduced"] = context["amount_fen"] < context["cap_fen"] and not corrects
        view["payee"] = context.get("payee") or ""
        view["reason"] = _sentence(context.get("reason"))
    else:
        view.setdefault("reduced", False)
        view.setdefault("reason", "")
        view.setdefault("corrects", None)
    return view


def _masthead_size(authority: str) -> float:
    """The 发文机关标志 on one line: 30 pt, smaller for a long name (GB/T 9704 7.2.3)."""
    width_chars = len(authority) * 1.06 + 0.5  # letter-spacing 0.06em
    return round(min(_MASTHEAD_MAX_PT, _LINE_PT / max(width_chars, 1)), 1)


# --- documents ------------------------------------------------------------------------------


_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+\Z")


def _photo_uri(photo: str | bytes | None) -> str:
    """The notice photo as a data: URI (the only kind of image a document may carry)."""
    if not photo:
        return ""
    if isinstance(photo, bytes | bytearray):
        if photo.startswith(b"\x89PNG\r\n\x1a\n"):
            mime = "image/png"
        elif photo.startswith(b"\xff\xd8\xff"):
            mime = "image/jpeg"
        else:
            raise ContextError("notice_photo: only PNG or JPEG images")
        return f"data:{mime};base64,{base64.b64encode(photo).decode('ascii')}"
    if not _DATA_IMAGE.match(photo):
        raise ContextError("notice_photo: give the image's bytes or a data:image/…;base64 URI")
    return photo


def _document_view(context: Mapping[str, Any]) -> dict[str, Any]:
    kind = context.get("kind")
    if kind not in documents.KINDS or not documents.KINDS[kind].generated:
        generated = [k for k, v in documents.KINDS.items() if v.generated]
        raise ContextError(f"unknown document kind {kind!r}; one of {', '.join(generated)}")
    _require(context, _DOCUMENT_KEYS + (("mediation",) if kind == "mediation_record" else ()), kind)
    view = dict(context)
    view["title"] = context.get("title") or documents.KINDS[kind].label
    view["case"] = {**_CASE_DEFAULTS, **context["case"]}
    view["applicant"] = {"name": "", "phone_masked": "", **(context.get("applicant") or {})}
    view["place"] = _place(view["case"])
    view["generated_on"] = context.get("generated_on") or ""
    view["quorum"] = context.get("quorum") or None
    view["households"] = rows = [_household_row(h) for h in context["households"]]
    view["totals"] = _totals(rows)
    view["total_cost_fen"] = total = int(context.get("total_cost_fen") or 0)
    view["subsidy_fen"] = subsidy = int(context.get("subsidy_fen") or 0)
    # Compensation to the low floors (DESIGN §3.3a), printed in the owners' agreement when any.
    view["compensation_fen"] = int(context.get("compensation_fen") or 0)
    view["to_share_fen"] = to_share = max(total - subsidy, 0)
    shares = view["totals"]["share_fen"]
    if kind == "owners_agreement" and shares not in (to_share, 0):
        # The owners sign these figures: a table that does not add up must never be printed.
        raise ContextError(
            f"owners_agreement: the shares add up to {yuan(shares)} yuan, "
            f"not the {yuan(to_share)} yuan to be shared"
        )
    publicity = {"start": "", "end": "", "place": "", **(context.get("publicity") or {})}
    # A notice that ended the day it began ran under the rule's minimum: only the explicit demo
    # setting allows that, and the report must not pass for a real one.
    publicity["shortened"] = bool(publicity["start"]) and publicity["end"] <= publicity["start"]
    view["publicity"] = publicity
    view["objections"] = objections = [
        {"household": "", "text": "", "lodged_at": "", "resolution": "", "resolved_at": "", **o}
        for o in context.get("objections") or []
    ]
    view["resolved_count"] = sum(1 for o in objections if (o["resolution"] or "").strip())
    view["notice_photo"] = _photo_uri(context.get("notice_photo"))
    # Frozen at submission, a document carries a verification code like a letter; the preview
    # before that has none yet and says so.
    view["verify_code"] = code = context.get("verify_code") or ""
    url = context.get("verify_url") or ""
    view["verify_base"] = _verify_base(url, code) if url else ""
    view["qr_svg"] = Markup(qr_svg(url)) if url else ""  # nosec B704  # SVG made by segno from our own URL
    return view


def _household_row(h: Mapping[str, Any]) -> dict[str, Any]:
    area = Decimal(str(h.get("area") or "0"))
    coefficient = Decimal(str(h.get("coefficient") or "0"))
    return {
        "room": "",
        "floor": "",
        "owner_name": "",
        "signature_name": "",
        "signed_at": "",
        "channel": "",
        "share_fen": 0,
        "compensation_received_fen": 0,
        "compensation_paid_fen": 0,
        **h,
        "area": f"{area:.2f}",
        "coefficient": str(h.get("coefficient") or "0"),
        "area_value": area,
        "weight_value": coefficient * area,
        "weight": str(coefficient * area),  # exact: 0.7 × 85.20 = 59.640
        "choice_label": CHOICES.get(h.get("choice"), str(h.get("choice"))),
        "channel_label": CHANNELS.get(h.get("channel"), str(h.get("channel"))),
    }


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    choices = [r.get("choice") or None for r in rows]
    weight = sum((r["weight_value"] for r in rows), Decimal(0))
    return {
        "area": f"{sum((r['area_value'] for r in rows), Decimal(0)):.2f}",
        "weight": str(weight),
        "share_fen": sum(int(r["share_fen"] or 0) for r in rows),
        # The weights that carry the cost: those of the households that pay.
        "paying_weight": str(sum((r["weight_value"] for r in rows if r["share_fen"]), Decimal(0))),
        "agree": choices.count("agree"),
        "object": choices.count("object"),
        "abstain": choices.count("abstain"),
        "none": choices.count(None),
    }
