"""The unified social credit code of the installer (GB 32100-2015)."""

import pytest

from workflow.rules.credit_code import check_character, credit_code_problem

REAL = ["9144030071526726XG", "914403001922038216", "91330100799655058B", "91110000600037341L"]


@pytest.mark.parametrize("code", REAL)
def test_published_codes_pass(code):
    assert credit_code_problem(code) is None


def test_spaces_and_lower_case_are_forgiven():
    assert credit_code_problem(" 9144 0300 7152 6726xg ") is None


def test_a_changed_character_breaks_the_check_character():
    assert "校验位" in credit_code_problem("9144030071526727XG")


def test_wrong_length_says_how_long_it_is():
    assert "现为 17 位" in credit_code_problem("9144030071526726X")


def test_letters_the_standard_leaves_out_are_refused():
    # I, O, Z, S and V are not used, so that they cannot be mistaken for digits.
    assert "不允许的字符：O" in credit_code_problem("91440300O1526726XG")


def test_check_character_of_a_zaoyang_code():
    base = "91420683MA4F0A1B2"  # 420683: 枣阳市
    assert credit_code_problem(base + check_character(base)) is None
