"""Card, SSN, US bank account and US passport detectors: positives and near misses."""

from __future__ import annotations

import pytest

from dataward.discovery import detect


def values(text: str, entity: str) -> list[str]:
    return [text[d.start : d.end] for d in detect(text) if d.entity_type == entity]


CARDS = [
    ("Card number 4539 1488 0343 6467 on file.", ["4539 1488 0343 6467"]),
    ("paid with 4539-1488-0343-6467 yesterday", ["4539-1488-0343-6467"]),
    ("visa 4539148803436467", ["4539148803436467"]),
    ("amex 3714 496353 98431 charged", []),  # documented test Amex
    ("amex 3782 822463 10005 on the letter", []),  # documented test number
    ("Amex card 3400 000000 00009 used", ["3400 000000 00009"]),
    ("mastercard 5425 2334 3010 9903", ["5425 2334 3010 9903"]),
    ("card 4539 1488 0343 6468", []),  # Luhn fails
    ("For the sandbox use test card 4111 1111 1111 1111", []),
    ("test card 4242 4242 4242 4242 in staging", []),
    ("card 5555 5555 5555 4444", []),
    ("tracking 9400 1111 2222 3333 4444 55 delivered", []),
    ("card 4539 1488 03436 467", []),  # irregular grouping
    ("number 1234567812345670 is no card", []),  # no issuer starts with 1
]


@pytest.mark.parametrize(("text", "expected"), CARDS)
def test_credit_card(text: str, expected: list[str]) -> None:
    assert values(text, "CREDIT_CARD") == expected


SSNS = [
    ("SSN 123-45-6789 verified", ["123-45-6789"]),
    ("her social security number is 536 22 8754.", ["536 22 8754"]),
    ("ssn: 536228754", ["536228754"]),
    ("reference 536228754 only", []),  # undashed needs context
    ("the advertised 219-09-9999 is void", []),
    ("placeholder SSN 000-12-3456", []),
    ("placeholder SSN 666-12-3456", []),
    ("placeholder SSN 912-12-3456", []),
    ("placeholder SSN 123-00-4567", []),
    ("placeholder SSN 123-45-0000", []),
    ("order ORD-123-45-6789 shipped", []),
    ("mixed 123-45 6789 separators", []),
]


@pytest.mark.parametrize(("text", "expected"), SSNS)
def test_us_ssn(text: str, expected: list[str]) -> None:
    assert values(text, "US_SSN") == expected


BANK = [
    ("Refund to checking account 123456789012.", ["123456789012"]),
    ("ACH from savings acct 70321934242", ["70321934242"]),
    ("Bank account number: 84512390", ["84512390"]),
    ("a/c no 00123456789", ["00123456789"]),
    ("Account CUST-84227190 is overdue", []),
    ("cursor=1764400000 batch=500", []),
    ("account 1234 was closed, 98765432 is an order", []),  # digits between cue and value
    ("routing 021000021 and account 4455667788", ["4455667788"]),
]


@pytest.mark.parametrize(("text", "expected"), BANK)
def test_us_bank_number(text: str, expected: list[str]) -> None:
    assert values(text, "US_BANK_NUMBER") == expected


def test_card_beats_bank_account_on_the_same_digits() -> None:
    text = "account 4539148803436467"
    assert [d.entity_type for d in detect(text)] == ["CREDIT_CARD"]


PASSPORTS = [
    ("US passport number 512345678, expiring soon", ["512345678"]),
    ("Passport #C03004786 scanned", ["C03004786"]),
    ("my passport no is 612345670", ["612345670"]),
    ("ticket 512345678 closed", []),
    ("passport 51234567890 too long", []),
    ("passport 111111111", []),
]


@pytest.mark.parametrize(("text", "expected"), PASSPORTS)
def test_us_passport(text: str, expected: list[str]) -> None:
    assert values(text, "US_PASSPORT") == expected
