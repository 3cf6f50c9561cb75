import pytest

from onething.domain.identity import (
    mask_id_number, mask_name, mask_phone, valid_credit_code, valid_id_number, valid_mobile,
)


@pytest.mark.parametrize("number", ["11010519491231002X", "110101199003074573", "440524188001010014"])
def test_real_id_numbers_pass_the_check_digit(number):
    assert valid_id_number(number)


@pytest.mark.parametrize("number", ["110101199003074578", "11010119900307457", "110101199013074578",
                                    "11010119900307457A", ""])
def test_typos_and_impossible_dates_fail(number):
    assert not valid_id_number(number)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"])
def test_real_credit_codes_pass(code):
    assert valid_credit_code(code)


@pytest.mark.parametrize("code", ["91350100M000100Y44", "91350100M000100Y4", "91350100M000100I43"])
def test_bad_credit_codes_fail(code):
    assert not valid_credit_code(code)


def test_masks_keep_only_what_the_owner_recognises():
    assert mask_id_number("110101199003074573") == "110***********4573"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三丰") == "张**"
    assert valid_mobile("13812345678") and not valid_mobile("12812345678")
