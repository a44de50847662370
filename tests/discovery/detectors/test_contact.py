"""E-mail, phone and IP address detectors: written forms, regions and look-alikes."""

from __future__ import annotations

import pytest

from dataward.discovery import detect


def values(text: str, entity: str, **kwargs: object) -> list[str]:
    found = detect(text, **kwargs)  # type: ignore[arg-type]
    return [text[d.start : d.end] for d in found if d.entity_type == entity]


EMAILS = [
    ("email priya.sharma@gmail.com for the statement", ["priya.sharma@gmail.com"]),
    ("From: Jo <JO.Smith+bpo@Example.co.uk>", ["JO.Smith+bpo@Example.co.uk"]),
    ("Message-ID: <AbCd1234efGh5678ijKl90.123456@mail.gmail.com>", []),
    ("DATABASE_URL=postgresql://crm:S3cretPw9@db-prod-01.corp.internal:5432/crm", []),
    ("user@localhost has no domain", []),
    ("version 1.2@3.4 is odd", []),
]


@pytest.mark.parametrize(("text", "expected"), EMAILS)
def test_email(text: str, expected: list[str]) -> None:
    assert values(text, "EMAIL_ADDRESS") == expected


PHONES = [
    ("Call back on +1 (415) 555-0123 after 5pm.", ["+1 (415) 555-0123"]),
    ("Best number is (415) 555-0123; thanks", ["(415) 555-0123"]),
    ("office 020 7946 0018 ext", ["020 7946 0018"]),
    ("mobile +44 7911 123456", ["+44 7911 123456"]),
    ("mobile 07911123456", ["07911123456"]),
    ("whatsapp +91 98765 43210", ["+91 98765 43210"]),
    ("call 98765 43210 today", ["98765 43210"]),
    ("globe 0917 123 4567", ["0917 123 4567"]),
    ("manila line (02) 8123 4567", ["(02) 8123 4567"]),
    ("+639171234567 texted", ["+639171234567"]),
    ("order 415-555-0123-44 shipped", []),
    ("cursor=1764400000 batch=500", []),
    ("on 2026-03-02 at 10:42", []),
    ("amount 1234567 units", []),
]


@pytest.mark.parametrize(("text", "expected"), PHONES)
def test_phone(text: str, expected: list[str]) -> None:
    assert values(text, "PHONE_NUMBER") == expected


def test_regions_decide_national_numbers() -> None:
    text = "call 0917 123 4567 now"
    assert values(text, "PHONE_NUMBER", regions=["PH"]) == ["0917 123 4567"]
    assert values(text, "PHONE_NUMBER", regions=["US"]) == []
    assert values("call +63 917 123 4567", "PHONE_NUMBER", regions=["US"]) == ["+63 917 123 4567"]


IPS = [
    ("Login from 81.2.69.160 flagged", ["81.2.69.160"]),
    ("session up 10.23.4.250 -> host", ["10.23.4.250"]),
    ("client 2001:db8:85a3::8a2e:370:7334 negotiated", ["2001:db8:85a3::8a2e:370:7334"]),
    ("app version 10.0.19045.1 installed", []),
    ("firmware v4.5.6.7 rolled out", []),
    ("version 1.2.3.4 of the app", []),
    ("octets 256.1.1.1 out of range", []),
    ("at 10:22:33 the call dropped", []),
    ("dotted 1.2.3.4.5 sequence", []),
]


@pytest.mark.parametrize(("text", "expected"), IPS)
def test_ip_address(text: str, expected: list[str]) -> None:
    assert values(text, "IP_ADDRESS") == expected
