"""Money in fen, shown in yuan and in capital numerals; dates as letters write them."""

from datetime import date

import pytest

from workflow.rules.money import (
    capital_yuan,
    chinese_date,
    chinese_date_numerals,
    parse_yuan,
    yuan,
)


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (10_000_000, "100,000.00"),
        (0, "0.00"),
        (5, "0.05"),
        (123_456_789, "1,234,567.89"),
        (-150, "-1.50"),
    ],
)
def test_yuan_shows_separators_and_two_decimals(fen, shown):
    assert yuan(fen) == shown


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234.5", 123_450),
        ("1,234.50", 123_450),
        ("¥1234", 123_400),
        ("￥ 1,000,000", 100_000_000),
        (" 0.01 ", 1),
        ("0", 0),
    ],
)
def test_parse_yuan_accepts_what_people_type(text, fen):
    assert parse_yuan(text) == fen


def test_parse_yuan_refuses_fractions_of_a_fen():
    with pytest.raises(ValueError, match="两位小数"):
        parse_yuan("1.234")


def test_parse_yuan_refuses_negative_amounts():
    with pytest.raises(ValueError, match="负数"):
        parse_yuan("-5")


@pytest.mark.parametrize("text", ["abc", "1,23,4", "12.", ".5", "1.2.3", "1e5", "１２３"])
def test_parse_yuan_refuses_malformed_amounts(text):
    with pytest.raises(ValueError, match="格式不正确"):
        parse_yuan(text)


@pytest.mark.parametrize("text", ["", "   ", "¥"])
def test_parse_yuan_refuses_empty_input(text):
    with pytest.raises(ValueError, match="请输入金额"):
        parse_yuan(text)


@pytest.mark.parametrize("fen", [0, 1, 99, 100, 123_456_789, 10_000_000])
def test_parse_yuan_reads_back_what_yuan_shows(fen):
    assert parse_yuan(yuan(fen)) == fen


@pytest.mark.parametrize(
    ("fen", "capital"),
    [
        (100_000_000, "壹佰万元整"),
        (10_000_000, "壹拾万元整"),
        (1_234_567, "壹万贰仟叁佰肆拾伍元陆角柒分"),
        (100, "壹元整"),
        (1_000, "壹拾元整"),
        (0, "零元整"),
    ],
)
def test_capital_yuan_as_on_financial_documents(fen, capital):
    assert capital_yuan(fen) == capital


@pytest.mark.parametrize(
    ("fen", "capital"),
    [
        (100_100, "壹仟零壹元整"),
        (140_950, "壹仟肆佰零玖元伍角整"),
        (1_010_000, "壹万零壹佰元整"),
        (10_000_100, "壹拾万零壹元整"),
        (10_700_000, "壹拾万柒仟元整"),
        (10_001_000_000, "壹亿零壹万元整"),
        (100_000_100_000, "壹拾亿零壹仟元整"),
    ],
)
def test_capital_yuan_writes_one_zero_for_a_run_of_zeros(fen, capital):
    assert capital_yuan(fen) == capital


@pytest.mark.parametrize(
    ("fen", "capital"),
    [
        (32_504, "叁佰贰拾伍元零肆分"),  # 角 is zero: 零 after 元
        (168_032, "壹仟陆佰捌拾元叁角贰分"),
        (150, "壹元伍角整"),  # 整 after 角
        (50, "伍角整"),
        (5, "伍分"),  # never 整 after 分
        (55, "伍角伍分"),
    ],
)
def test_capital_yuan_writes_jiao_and_fen(fen, capital):
    assert capital_yuan(fen) == capital


def test_capital_yuan_refuses_negative_amounts():
    with pytest.raises(ValueError, match="负数"):
        capital_yuan(-1)


def test_chinese_date_in_arabic_numerals():
    assert chinese_date(date(2026, 11, 27)) == "2026年11月27日"
    assert chinese_date(date(2026, 1, 5)) == "2026年1月5日"


@pytest.mark.parametrize(
    ("d", "written"),
    [
        (date(2026, 11, 27), "二〇二六年十一月二十七日"),
        (date(2026, 1, 1), "二〇二六年一月一日"),
        (date(2030, 10, 10), "二〇三〇年十月十日"),
        (date(2026, 12, 20), "二〇二六年十二月二十日"),
        (date(2026, 5, 31), "二〇二六年五月三十一日"),
    ],
)
def test_chinese_date_in_chinese_numerals(d, written):
    assert chinese_date_numerals(d) == written
