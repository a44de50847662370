"""Format variants found by the held-out evaluation: each rule is general, not one snippet."""

from __future__ import annotations

import pytest

from dataward.discovery import detect


def found(text: str, entity: str) -> list[str]:
    return [text[d.start : d.end] for d in detect(text) if d.entity_type == entity]


@pytest.mark.parametrize(
    ("text", "entity", "expected"),
    [
        ("Contact: John A. Whitaker", "PERSON", ["John A. Whitaker"]),
        ("Notes by J. Smith on 2024-03-01", "PERSON", ["J. Smith"]),
        ("Customer: Ma. Cristina Reyes", "PERSON", ["Ma. Cristina Reyes"]),
        ("Juan dela Cruz requested a printout.", "PERSON", ["Juan dela Cruz"]),
        ("Escalated: Mary-Jane Watson-Parker", "PERSON", ["Mary-Jane Watson-Parker"]),
        ("See you soon. Cheers, Liam", "PERSON", ["Liam"]),
        ('{"firstName": "Ana", "lastName": "Reyes"}', "PERSON", ["Ana", "Reyes"]),
        ("Emp Code,Employee Name\nE1,Sneha Kulkarni", "PERSON", ["Sneha Kulkarni"]),
        ("name,status\nJOSE P. RIZAL,ACTIVE", "PERSON", ["JOSE P. RIZAL"]),
        ("forename,surname\nRebecca,Hughes", "PERSON", ["Rebecca", "Hughes"]),
        ("Called Mrs. Nkechi Obi-Williams at 3pm.", "PERSON", ["Nkechi Obi-Williams"]),
        ("Assigned To: Wong, Kelvin", "PERSON", ["Wong", "Kelvin"]),
        ("Please send letters to Block 04 Lot 60 Hercules Street.", "PERSON", []),
        ("Send letters to 9959 Unit C Opal Drive, Gigaquit", "PERSON", []),
        ("Please call 1-800-555-0199 to activate.", "PHONE_NUMBER", ["1-800-555-0199"]),
        ("Customer's number 639171234567 bounced.", "PHONE_NUMBER", ["639171234567"]),
        ("Ref 639171234567 closed.", "PHONE_NUMBER", []),
        (
            "[11:05] Agent: your SSS number please?\n[11:06] Customer: 31-2006636-2",
            "PH_SSS",
            ["31-2006636-2"],
        ),
        ("Date of birth is 14th of March 1987.", "DATE_OF_BIRTH", ["14th of March 1987"]),
        ("dob: 14-Mar-87", "DATE_OF_BIRTH", ["14-Mar-87"]),
        ("DOB: 1987-03-14 00:00:00", "DATE_OF_BIRTH", ["1987-03-14"]),
        ("DOB checked; ticket 2024-03-14 10:22:01", "DATE_OF_BIRTH", []),
        ("her password was Manila#2023.", "SECRET", ["Manila#2023"]),
        ("password is incorrect, reset sent", "SECRET", []),
        ("Authorization: Bearer 8f3kd92KdlA0qPzX7tYb21", "SECRET", ["8f3kd92KdlA0qPzX7tYb21"]),
    ],
)
def test_variant(text: str, entity: str, expected: list[str]) -> None:
    assert found(text, entity) == expected
