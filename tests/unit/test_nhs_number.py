"""NHS numbers: ten digits and a Modulus 11 check digit."""

import pytest

from medpass.domain.nhs_number import is_test_nhs_number, is_valid_nhs_number, nhs_number_problem


@pytest.mark.parametrize("number", ["9990000018", "9990000026", "999 000 0018", "9999999999", "9434765919"])
def test_accepts_numbers_with_a_correct_check_digit(number: str) -> None:
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize("number", ["9990000019", "9434765918", "1234567890"])
def test_rejects_a_wrong_check_digit(number: str) -> None:
    assert "Modulus 11" in (nhs_number_problem(number) or "")


def test_rejects_numbers_whose_check_digit_would_be_ten() -> None:
    # 999000000x: the weighted sum leaves remainder 1, so the check digit would be 10: never issued
    assert not any(is_valid_nhs_number(f"999000000{d}") for d in range(10))


@pytest.mark.parametrize("number", ["", "999000001", "99900000188", "99900000A8"])
def test_rejects_anything_but_ten_digits(number: str) -> None:
    assert "10 digits" in (nhs_number_problem(number) or "")


def test_knows_the_999_test_range() -> None:
    assert is_test_nhs_number("9990000018") and not is_test_nhs_number("9434765919")


def test_refuses_digits_that_are_not_ascii_instead_of_crashing() -> None:
    assert "10 digits" in (nhs_number_problem("99900000²8") or "")
