"""The unified social credit code (统一社会信用代码) of an organisation, GB 32100-2015.

Eighteen characters from 31 (digits and capitals without I, O, Z, S, V): registration
authority, organisation type, the 6-digit administrative division, the 9-character organisation
code, and a check character computed modulo 31 from the first seventeen.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def normalise(code: str) -> str:
    return "".join((code or "").split()).upper()


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when `code` is a valid code; else what is wrong, in Chinese."""
    code = normalise(code)
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位（现为 {len(code)} 位）。"
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}。"
    if not code[2:8].isdigit():
        return "统一社会信用代码第 3 至 8 位应为行政区划代码（数字）。"
    if check_character(code[:17]) != code[17]:
        return "统一社会信用代码校验位不符，请核对。"
    return None
