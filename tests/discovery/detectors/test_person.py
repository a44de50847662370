"""PERSON detector: names from lists, cue words, structure and column headers; non-names."""

from __future__ import annotations

import pytest

from dataward.discovery import detect, detect_cells


def names(text: str, **kwargs: object) -> list[str]:
    found = detect(text, **kwargs)  # type: ignore[arg-type]
    return [text[d.start : d.end] for d in found if d.entity_type == "PERSON"]


PEOPLE = [
    ("Caller: Jennifer Walsh asked about her bill.", ["Jennifer Walsh"]),
    ("Spoke with Mr Okonkwo about the refund", ["Okonkwo"]),
    ("Name: Priya Raghunathan", ["Priya Raghunathan"]),
    ("Michael Turner asked that we stop calling.", ["Michael Turner"]),
    ("Dear Anneliese,\nThanks for writing.", ["Anneliese"]),
    ("Treating doctor Dr. Farida Osei signed it.", ["Farida Osei"]),
    ("Regards,\nMaricel Dizon\n", ["Maricel Dizon"]),
    ("[10:22] Ishaani: my card is blocked", ["Ishaani"]),
    ("my team lead Vikram will review it", ["Vikram"]),
    ("I spoke to Rhea on Monday", ["Rhea"]),
    ("Borrower: Nakamura, Kenji", ["Nakamura", "Kenji"]),
    ("its Aarav Malhotra here, account under my name", ["Aarav Malhotra"]),
    ("Please don't share card numbers in chat, Tanvi.", ["Tanvi"]),
    ("Customer Service apologised for the delay.", []),
    ("Dear Team, the Account Number is wrong.", []),
    ("Escalated to Northbank Card Services today.", []),
    ("Meridian Contact Solutions Ltd invoiced us.", []),
    ("Explained the Premier Rewards Card terms.", []),
    ("Lives at 8188 Lauren Route, Port Jamesfurt, IA 83155.", []),
    ("Send letters to 12 Baker Street, West Sarah, L1 2AB.", []),
    ("Follow-up booked for March 14 and May 2.", []),
    ("Call lasted 12 minutes; wrap code BILLING.", []),
    ("Grace period ends Monday.", []),
]


@pytest.mark.parametrize(("text", "expected"), PEOPLE)
def test_person_in_free_text(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_person_from_csv_header_context() -> None:
    text = "customer_id,first_name,last_name,segment\nC1,Dawn,Little,Premier Rewards Card\n"
    assert names(text) == ["Dawn", "Little"]


def test_person_from_extra_context() -> None:
    assert names("Summer Case", context="customer_name") == ["Summer Case"]
    assert names("Premier Rewards", context="segment") == []


def test_detect_cells_uses_headers() -> None:
    header = ["agent", "dob", "account_no", "passport", "notes"]
    rows = [["Rommel Tolentino", "14/03/1985", "4455667788", "512345678", "Card declined"]]
    found = {(c, d.entity_type) for _, c, d in detect_cells(header, rows)}
    assert found == {
        (0, "PERSON"),
        (1, "DATE_OF_BIRTH"),
        (2, "US_BANK_NUMBER"),
        (3, "US_PASSPORT"),
    }
