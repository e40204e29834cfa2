"""ID numbers, mobile numbers and birth dates as typed at the desk."""

from __future__ import annotations

from datetime import date

import pytest

from app.validators import (
    FieldError,
    check_digit,
    id_birth_date,
    upgrade_legacy_id,
    validate_birth_date,
    validate_gender,
    validate_id_number,
    validate_mobile,
)

TODAY = date(2026, 11, 25)
# Real-format numbers built with the GB 11643 check digit.
VALID = "11010519491231002X"  # the standard's own example: X check digit, female
MALE = "420117198503080012"


def test_standard_example_with_x_check_digit_is_accepted() -> None:
    assert check_digit(VALID[:17]) == "X"
    assert validate_id_number(VALID, TODAY) == VALID


def test_lower_case_x_full_width_digits_and_spaces_are_normalised() -> None:
    typed = "１１０１０５ 1949 1231 002x"
    assert validate_id_number(typed, TODAY) == VALID


def test_wrong_check_digit_is_refused() -> None:
    with pytest.raises(FieldError) as err:
        validate_id_number(VALID[:17] + "1", TODAY)
    assert err.value.code == "id_check"


@pytest.mark.parametrize("text, code", [
    ("12345", "id_format"),
    ("1101051949123100", "id_format"),
    ("11010519491231002Y", "id_format"),
    ("991051194912310021", "id_region"),
    ("110105194902300021", "id_birth"),  # 30 February
    ("110105203001010021", "id_birth"),  # born in the future
])
def test_malformed_numbers_say_why(text: str, code: str) -> None:
    with pytest.raises(FieldError) as err:
        validate_id_number(text, TODAY)
    assert err.value.code == code


def test_fifteen_digit_legacy_number_is_converted_to_eighteen() -> None:
    legacy = "110105491231002"  # 1949-12-31, sequence 002
    upgraded = validate_id_number(legacy, TODAY)
    assert upgraded == VALID
    assert upgrade_legacy_id(legacy) == VALID
    assert id_birth_date(upgraded) == date(1949, 12, 31)


def test_fifteen_digit_number_with_impossible_date_is_refused() -> None:
    with pytest.raises(FieldError):
        validate_id_number("110105491331002", TODAY)


def test_empty_id_is_allowed() -> None:
    assert validate_id_number("  ", TODAY) == ""


def test_birth_date_must_match_the_id_number() -> None:
    assert validate_birth_date("1985-03-08", MALE, TODAY) == date(1985, 3, 8)
    assert validate_birth_date("19850308", MALE, TODAY) == date(1985, 3, 8)
    assert validate_birth_date("", MALE, TODAY) == date(1985, 3, 8)
    with pytest.raises(FieldError) as err:
        validate_birth_date("1985-03-09", MALE, TODAY)
    assert err.value.code == "birth_mismatch"
    with pytest.raises(FieldError) as err:
        validate_birth_date("1985-13-01", "", TODAY)
    assert err.value.code == "date_format"


def test_gender_must_match_the_sequence_digit() -> None:
    assert validate_gender("男", MALE) == "M"
    assert validate_gender("", VALID) == "F"
    with pytest.raises(FieldError) as err:
        validate_gender("F", MALE)
    assert err.value.code == "gender_mismatch"


@pytest.mark.parametrize("typed, stored", [
    ("13812345678", "13812345678"),
    ("+86 138-1234-5678", "13812345678"),
    ("0086 19912345678", "19912345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("", ""),
])
def test_mobile_numbers_are_normalised(typed: str, stored: str) -> None:
    assert validate_mobile(typed) == stored


@pytest.mark.parametrize("typed, code", [
    ("12812345678", "phone_mobile"),
    ("1381234567", "phone_mobile"),
    ("138123456789", "phone_mobile"),
    ("138abc45678", "phone_format"),
    ("027-87654321", "phone_mobile"),
])
def test_bad_mobile_numbers_are_refused(typed: str, code: str) -> None:
    with pytest.raises(FieldError) as err:
        validate_mobile(typed)
    assert err.value.code == code
