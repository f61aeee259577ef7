"""NHS numbers: ten digits with a Modulus 11 check digit (NHS Data Dictionary, 'NHS Number')."""

from __future__ import annotations

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
TEST_RANGE_PREFIX = "999"


def normalise_nhs_number(value: str) -> str:
    """Drop the spaces and hyphens people write NHS numbers with ('999 000 0018')."""
    return value.replace(" ", "").replace("-", "")


def nhs_number_problem(value: str) -> str | None:
    """Say why `value` is not a valid NHS number, or None when it is."""
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        return f"NHS number {value!r} must be 10 digits"
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10 or check != int(digits[9]):
        return f"NHS number {value!r} fails the Modulus 11 check digit"
    return None


def is_valid_nhs_number(value: str) -> bool:
    """True when `value` is ten digits with a correct Modulus 11 check digit."""
    return nhs_number_problem(value) is None


def is_test_nhs_number(value: str) -> bool:
    """True for the 999 range, which is never issued to a real person."""
    return normalise_nhs_number(value).startswith(TEST_RANGE_PREFIX)
