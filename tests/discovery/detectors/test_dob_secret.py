"""Date-of-birth and secret detectors: context rules, formats, placeholders and spans."""

from __future__ import annotations

import pytest

from dataward.discovery import detect


def values(text: str, entity: str) -> list[str]:
    return [text[d.start : d.end] for d in detect(text) if d.entity_type == entity]


DOBS = [
    ("DOB 1985-03-14 confirmed", ["1985-03-14"]),
    ("D.O.B.: 14/03/1985.", ["14/03/1985"]),
    ("date of birth 03/14/1985, then", ["03/14/1985"]),
    ("born on 14 Mar 1985 in Leeds", ["14 Mar 1985"]),
    ("Birthday: March 14, 1985", ["March 14, 1985"]),
    ("birthdate 14.03.1985", ["14.03.1985"]),
    ("paid on 14/03/2026 by card", []),  # no birth wording
    ("date of birth 1984-03-02, reported the loss on 2026-01-05.", ["1984-03-02"]),
    ("DOB 2030-01-01 is in the future", []),
    ("DOB 1985-13-45 is not a date", []),
    ("born 2026-03-02 10:42:11 log line", []),  # a timestamp
]


@pytest.mark.parametrize(("text", "expected"), DOBS)
def test_date_of_birth(text: str, expected: list[str]) -> None:
    assert values(text, "DATE_OF_BIRTH") == expected


def test_dob_column_in_a_csv() -> None:
    text = "emp_id,pay_date,dob\nE1,15/05/2026,14/03/1985\nE2,16/05/2026,02/11/1990\n"
    assert values(text, "DATE_OF_BIRTH") == ["14/03/1985", "02/11/1990"]


PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx1\nQk9n==\n-----END RSA PRIVATE KEY-----"
SECRETS = [
    ("AWS_ACCESS_KEY_ID=AKIAZ7XQ3MPLR2KD5VWB", ["AKIAZ7XQ3MPLR2KD5VWB"]),
    ("# docs: AKIAIOSFODNN7EXAMPLE", []),
    (
        "aws_secret_access_key = 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",
        ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq3K1tR0Qa"],
    ),
    ("GIT_COMMIT=4e7426fb08c8a1b2c3d4e5f60718293a4b5c6d7e", []),
    (
        "token ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        ["ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"],
    ),
    (
        "SLACK_BOT_TOKEN=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        ["xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"],
    ),
    ("key sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", ["sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"]),
    ("DB_PASSWORD=Hunter2Sec!x", ["Hunter2Sec!x"]),
    ('  password: "Orchid4821#xQz"', ["Orchid4821#xQz"]),
    ("pwd = 'c0rrect-h0rse'", ["c0rrect-h0rse"]),
    ("Server=db;User Id=app;Password=Tr0ub4dor&3;Encrypt=true", ["Tr0ub4dor"]),
    ("postgres://app:S3cr3tPw@db.internal:5432/crm", ["S3cr3tPw"]),
    ("redis://:R3disPa55word@cache01:6379/0", ["R3disPa55word"]),
    ("SMTP_PASSWORD=${SMTP_PASSWORD}", []),
    ("ADMIN_PASSWORD=<set in vault>", []),
    ('password = os.environ["DB_PASSWORD"]', []),
    ("# passwords must be at least 12 characters", []),
    ("auth: login ok user=crm", []),
    ('"ApiKey": "9f86d081884c7d659a2feaa0c55ad015"', ["9f86d081884c7d659a2feaa0c55ad015"]),
    (PEM + "\nafter", [PEM]),
]


@pytest.mark.parametrize(("text", "expected"), SECRETS)
def test_secret(text: str, expected: list[str]) -> None:
    assert values(text, "SECRET") == expected
