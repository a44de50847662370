"""Public API of the detectors: offsets, filters, normalize, mask, threads and arbitrary text."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataward.discovery import detect, detect_cells, mask, normalize
from dataward.discovery.engine.types import ENTITIES
from dataward.errors import DatawardError

SAMPLE = (
    "Caller: Jennifer Walsh (DOB 14/03/1985) gave SSN 536-22-8754 and card 4539 1488 0343 6467.\n"
    "Email jwalsh@example.com, phone +1 (415) 555-0123, IBAN GB29 NWBK 6016 1331 9268 19.\n"
    "Login from 81.2.69.160. DB_PASSWORD=Hunter2Sec!x NHS number 943 476 5919.\n"
)


def test_offsets_cover_the_values_and_are_sorted() -> None:
    found = detect(SAMPLE)
    assert [SAMPLE[d.start : d.end] for d in found] == [
        "Jennifer Walsh", "14/03/1985", "536-22-8754", "4539 1488 0343 6467",
        "jwalsh@example.com", "+1 (415) 555-0123", "GB29 NWBK 6016 1331 9268 19",
        "81.2.69.160", "Hunter2Sec!x", "943 476 5919",
    ]  # fmt: skip
    assert all(0.5 <= d.score <= 1 for d in found)
    assert [d.start for d in found] == sorted(d.start for d in found)


@pytest.mark.parametrize("prefix", ["", "Señora Müller — ", "日本語のメモ: ", "emoji 🙂🙂 "])
def test_offsets_are_characters_in_non_ascii_text(prefix: str) -> None:
    text = prefix + SAMPLE
    shift = len(prefix)
    plain = [(d.entity_type, d.start + shift, d.end + shift) for d in detect(SAMPLE)]
    assert [(d.entity_type, d.start, d.end) for d in detect(text)] == plain


def test_entities_filter_and_unknown_entity() -> None:
    only = detect(SAMPLE, entities=["US_SSN", "EMAIL_ADDRESS"])
    assert {d.entity_type for d in only} == {"US_SSN", "EMAIL_ADDRESS"}
    with pytest.raises(DatawardError, match="unknown entity type"):
        detect(SAMPLE, entities=["NOT_A_TYPE"])


def test_context_argument_acts_as_a_nearby_label() -> None:
    assert [d.entity_type for d in detect("536228754", context="ssn")] == ["US_SSN"]
    assert detect("536228754") == []


def test_detect_cells_reports_row_and_column() -> None:
    header = ["name", "email", "notes"]
    rows = [["Ana Cruz", "ana@example.com", "ok"], ["", "", "SSN 536-22-8754"]]
    found = [(r, c, d.entity_type) for r, c, d in detect_cells(header, rows)]
    assert found == [(0, 0, "PERSON"), (0, 1, "EMAIL_ADDRESS"), (1, 2, "US_SSN")]


NORMALIZE = [
    ("CREDIT_CARD", "4539-1488-0343-6467", "4539148803436467"),
    ("US_SSN", "536 22 8754", "536228754"),
    ("EMAIL_ADDRESS", "J.Walsh@Example.COM", "j.walsh@example.com"),
    ("IBAN_CODE", "gb29 nwbk 6016 1331 9268 19", "GB29NWBK60161331926819"),
    ("PHONE_NUMBER", "(415) 555-0123", "+14155550123"),
    ("PHONE_NUMBER", "+1 415.555.0123", "+14155550123"),
    ("PHONE_NUMBER", "+63 917 123 4567", "+639171234567"),
    ("PHONE_NUMBER", "020 7946 0018", "+442079460018"),
    ("UK_NINO", "ab 12 34 56 c", "AB123456C"),
    ("PERSON", "Jennifer  Walsh", "jennifer walsh"),
]


@pytest.mark.parametrize(("entity", "value", "expected"), NORMALIZE)
def test_normalize(entity: str, value: str, expected: str) -> None:
    assert normalize(entity, value) == expected


def _e164_by_validity(value: str) -> str:
    """The phone canonical form spelled with phonenumbers' is_valid_number, as first written."""
    import phonenumbers

    from dataward.discovery.engine.types import DEFAULT_REGIONS

    personal = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    fallback = None
    for region in (None,) if value.strip().startswith("+") else DEFAULT_REGIONS:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        if phonenumbers.number_type(number) in personal:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        fallback = fallback or number
    if fallback is not None:
        return phonenumbers.format_number(fallback, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(c for c in value if c in "0123456789")
    return "+" + digits if value.strip().startswith("+") else digits


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="0123456789 -+()", min_size=7, max_size=18),
        st.from_regex(r"\+?(1|44|63|91)[ -]?[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{3,4}", fullmatch=True),
        st.from_regex(r"0[0-9]{2,4}[ -]?[0-9]{3,4}[ -]?[0-9]{3,4}", fullmatch=True),
    )
)
def test_phone_fingerprint_form_is_unchanged_by_asking_the_number_type_once(value: str) -> None:
    # normalize asks number_type once instead of is_valid_number then number_type (half the
    # metadata walks); the canonical form, and so every stored fingerprint, must not move.
    assert normalize("PHONE_NUMBER", value) == _e164_by_validity(value.strip())


MASKS = [
    ("CREDIT_CARD", "4539 1488 0343 6467", "6467"),
    ("US_SSN", "536-22-8754", "8754"),
    ("IBAN_CODE", "GB29NWBK60161331926819", "6819"),
    ("PHONE_NUMBER", "+1 (415) 555-0123", "0123"),
    ("IN_AADHAAR", "2345 6789 0124", "0124"),
]


@pytest.mark.parametrize(("entity", "value", "tail"), MASKS)
def test_mask_reveals_at_most_four_trailing_characters(entity: str, value: str, tail: str) -> None:
    masked = mask(entity, value)
    assert masked.endswith(tail)
    assert sum(c.isalnum() for c in masked) <= 4


def test_mask_people_emails_and_secrets() -> None:
    assert mask("PERSON", "Jennifer Walsh") == "J*** W***"
    assert mask("EMAIL_ADDRESS", "jwalsh@example.com") == "j***@example.com"
    assert mask("SECRET", "Hunter2Sec!x") == "[secret:********]"
    assert mask("SECRET", "AKIAZ7XQ3MPLR2KD5VWB") == "[aws-key-id:********]"
    assert "Hunter" not in mask("SECRET", "Hunter2Sec!x")


@pytest.mark.parametrize("entity", ENTITIES)
def test_mask_never_returns_the_value(entity: str) -> None:
    value = "4539148803436467"
    assert mask(entity, value) != value


def test_detect_is_thread_safe() -> None:
    texts = [SAMPLE * (i % 3 + 1) + f"\nticket {i}" for i in range(40)]
    serial = [detect(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(detect, texts))
    assert parallel == serial


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    found = detect(text)
    assert all(0 <= d.start < d.end <= len(text) for d in found)
    assert [d.start for d in found] == sorted(d.start for d in found)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "4539 1488 0343 6467",
                " DOB ",
                "12",
                "-",
                "Ms ",
                "Ana ",
                "é",
                "\n",
                "@x.io",
                "password=",
                "+44 ",
            ]
        ),
        max_size=30,
    )
)
def test_id_like_soup_never_raises(parts: list[str]) -> None:
    text = "".join(parts)
    for d in detect(text):
        assert 0 <= d.start < d.end <= len(text)
