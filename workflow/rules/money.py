"""Money and dates as they appear on letters and forms.

Money is integer fen everywhere in the domain; these functions only convert at the edges.
"""

import re
from datetime import date
from decimal import Decimal

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SECTION_UNITS = ("", "万", "亿", "万亿")
_PLAIN_DIGITS = "〇一二三四五六七八九"

# Thousands separators are optional, but when present they must group by three: "1,23,4"
# is more likely a typo than an amount.
_AMOUNT = re.compile(r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]+))?")


def yuan(fen: int) -> str:
    """Amount in yuan with thousands separators and two decimals: 10000000 → "100,000.00"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """Parse an amount typed in yuan ("1234.5", "1,234.50", "¥1234") into fen."""
    cleaned = text.strip()
    for symbol in ("¥", "￥"):
        cleaned = cleaned.removeprefix(symbol)
    cleaned = cleaned.strip()
    if not cleaned:
        raise ValueError("请输入金额")
    if cleaned.startswith("-"):
        raise ValueError(f"金额不能为负数：{text.strip()}")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"金额格式不正确：{text.strip()}（示例：1,234.50）")
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise ValueError(f"金额最多精确到分（两位小数）：{text.strip()}")
    amount = Decimal(match["int"].replace(",", "") + "." + (frac or "0"))
    return int(amount * 100)


def capital_yuan(fen: int) -> str:
    """Amount in Chinese capital numerals (大写金额), as on receipts and fiscal notices.

    Follows the People's Bank of China rules for filling in amounts (《支付结算办法》附件
    正确填写票据和结算凭证的基本规定): "整" after 元 or 角, never after 分; one "零" for a run
    of zeros inside the number; "零" after 元 when 角 is zero but 分 is not.
    """
    if fen < 0:
        raise ValueError("大写金额不能为负数")
    whole, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if whole >= 10**16:
        raise ValueError("金额超出大写金额的表示范围")

    text = _capital_integer(whole) + "元" if whole else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif fen_digit and whole:
        text += "零"
    if fen_digit:
        text += _DIGITS[fen_digit] + "分"
    if not text:
        return "零元整"
    return text if fen_digit else text + "整"


def _capital_integer(n: int) -> str:
    sections = []
    while n:
        n, section = divmod(n, 10_000)
        sections.append(section)
    parts: list[str] = []
    pending_zero = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            pending_zero = bool(parts)
            continue
        # A zero section in between, or a section without a thousands digit, reads as "零".
        if parts and (pending_zero or section < 1000):
            parts.append("零")
        parts.append(_capital_section(section) + _SECTION_UNITS[index])
        pending_zero = False
    return "".join(parts)


def _capital_section(n: int) -> str:
    """One group of four digits (1–9999), with a single 零 for inner zeros."""
    parts: list[str] = []
    pending_zero = False
    for power, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit = n // power % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(_DIGITS[digit] + unit)
    return "".join(parts)


def chinese_date(d: date) -> str:
    """Date in Arabic numerals, as GB/T 9704-2012 prescribes for 成文日期: "2026年11月27日"."""
    return f"{d.year}年{d.month}月{d.day}日"


def chinese_date_numerals(d: date) -> str:
    """Date in Chinese numerals, for older templates: "二〇二六年十一月二十七日"."""
    year = "".join(_PLAIN_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{_small_number(d.month)}月{_small_number(d.day)}日"


def _small_number(n: int) -> str:
    """1–31 in Chinese numerals: 十, 十一, 二十, 二十七."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _PLAIN_DIGITS[ones]
    prefix = "" if tens == 1 else _PLAIN_DIGITS[tens]
    return prefix + "十" + (_PLAIN_DIGITS[ones] if ones else "")
