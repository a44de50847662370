"""IBAN, NHS, NINO, Aadhaar, PAN, Philippine TIN and SSS detectors: positives and near misses."""

from __future__ import annotations

import pytest

from dataward.discovery import detect


def values(text: str, entity: str) -> list[str]:
    return [text[d.start : d.end] for d in detect(text) if d.entity_type == entity]


CASES = [
    (
        "IBAN_CODE",
        "Refund to IBAN GB29 NWBK 6016 1331 9268 19 today",
        ["GB29 NWBK 6016 1331 9268 19"],
    ),
    ("IBAN_CODE", "new IBAN: DE89370400440532013000.", ["DE89370400440532013000"]),
    ("IBAN_CODE", "Standing order from NL91ABNA0417164300", ["NL91ABNA0417164300"]),
    ("IBAN_CODE", "IBAN GB29 NWBK 6016 1331 9268 18 (typo)", []),
    ("IBAN_CODE", "code AB12CDEF34567890", []),
    ("UK_NHS", "NHS number 943 476 5919 quoted", ["943 476 5919"]),
    ("UK_NHS", "Patient's NHS No. is 401-023-2137; fine", ["401-023-2137"]),
    ("UK_NHS", "nhs_number=4505577104", ["4505577104"]),
    ("UK_NHS", "NHS number 943 476 5918 (bad check digit)", []),
    ("UK_NHS", "reference 943 476 5919 without the word", []),
    ("UK_NINO", "NI number given as AB 12 34 56 C.", ["AB 12 34 56 C"]),
    ("UK_NINO", "NINO JT123456D on the letter", ["JT123456D"]),
    ("UK_NINO", "NINO QQ123456C is the sample", []),  # Q is never a first letter
    ("UK_NINO", "prefix GB123456A is not allocated", []),
    ("UK_NINO", "suffix AB123456E is out of range", []),
    ("IN_AADHAAR", "Aadhaar number 2345 6789 0124 shared for e-KYC", ["2345 6789 0124"]),
    ("IN_AADHAAR", "aadhaar 9876-5432-1012", ["9876-5432-1012"]),
    ("IN_AADHAAR", "UID 234567890124", ["234567890124"]),
    ("IN_AADHAAR", "Aadhaar 2345 6789 0125 (bad check digit)", []),
    ("IN_AADHAAR", "Aadhaar 1345 6789 0124 starts with one", []),
    ("IN_AADHAAR", "tracking 9400 2345 6789 0124 5566 00", []),
    ("IN_PAN", "PAN card ABCPK1234Z checked", ["ABCPK1234Z"]),
    ("IN_PAN", "PAN: AFZPK7190K", ["AFZPK7190K"]),
    ("IN_PAN", "code ABCXK1234Z has a bad holder type", []),
    ("IN_PAN", "SKU ABCPK12345Z", []),
    ("PH_TIN", "TIN 123-456-789-000 for the BIR form", ["123-456-789-000"]),
    ("PH_TIN", "Member TIN: 234-567-891", ["234-567-891"]),
    ("PH_TIN", "ref 234-567-891-000 no wording", []),
    ("PH_TIN", "TIN 111-111-111", []),
    ("PH_SSS", "SSS no. 34-1234567-8 verified", ["34-1234567-8"]),
    ("PH_SSS", "sss # 0212345671", ["0212345671"]),
    ("PH_SSS", "ref 34-1234567-8 without wording", []),
]


@pytest.mark.parametrize(("entity", "text", "expected"), CASES)
def test_national_ids(entity: str, text: str, expected: list[str]) -> None:
    assert values(text, entity) == expected


def test_nhs_number_is_not_also_a_phone() -> None:
    text = "NHS number 401 023 2137"
    assert [d.entity_type for d in detect(text)] == ["UK_NHS"]
