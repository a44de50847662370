"""Detect phone numbers in many written forms, validated with ``phonenumbers`` per region."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import NOT_PERSONAL, Detector, Hit, clamp, words

CONTEXT = words(
    "phone", "mobile", "mob", "tel", "telephone", "call", "cell", "contact", "number", "whatsapp",
    "sms", "text", "fax", "landline", "reach", "ring", "dial", "callback", "on",
)  # fmt: skip
_DATE_LIKE = re.compile(
    r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$|^\d{3}[- ]\d{2}[- ]\d{4}$"
)
_GROUP = re.compile(r"[ .\-]+")
#: An extension written right after the number ("555-0187x123", "555-0187 ext. 42").
_EXTENSION = re.compile(r"(?i)(?:x| ?ext\.? ?)\d{1,5}(?![\w/])")
#: Ofcom's drama ranges (national digits): real-looking UK numbers reserved for fiction, which
#: ``phonenumbers`` rejects but test data and training material use.
_DRAMA = ("1632960", "7700900")


@lru_cache(maxsize=8192)
def _valid_in(digits: str, region: str) -> bool:
    """Return whether national digits (trunk prefix allowed) are valid for one region."""
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.country_code is None:
        return False
    prefix = meta.national_prefix or ""
    if prefix and digits.startswith(prefix) and len(digits) > 8:
        digits = digits[len(prefix) :]
    number = PhoneNumber(country_code=meta.country_code, national_number=int(digits))
    return bool(phonenumbers.is_valid_number_for_region(number, region))


@lru_cache(maxsize=8192)
def _valid_international(digits: str) -> bool:
    """Return whether digits after a ``+`` form a valid number of some country."""
    for size in (1, 2, 3):
        code = int(digits[:size])
        regions = phonenumbers.region_codes_for_country_code(code)
        if regions and regions[0] != "ZZ":
            rest = digits[size:]
            if not rest:
                return False
            meta = PhoneMetadata.metadata_for_region(regions[0])
            prefix = (meta.national_prefix if meta else None) or ""
            if prefix and rest.startswith(prefix) and code != 39:
                rest = rest[len(prefix) :]
            number = PhoneNumber(country_code=code, national_number=int(rest))
            return bool(phonenumbers.is_valid_number(number))
    return False


def _valid(value: str, regions: tuple[str, ...]) -> bool:
    """Return whether the written number is valid for one of the regions (or its + prefix)."""
    digits = "".join(c for c in value if c.isdigit())
    if value.startswith("+"):
        return _valid_international(digits) or _drama(digits, "44")
    if value.startswith("00") and not value.isdigit():
        return _valid_international(digits[2:])  # international prefix written as 00
    if "GB" in regions and len(digits) == 11 and digits[1:8] in _DRAMA and digits[0] == "0":
        return True
    if any(_valid_in(digits, region) for region in regions):
        return True
    # A country code written without its "+" (639171234567), only ever for bare digit runs.
    return len(value) >= 12 and value.isdigit() and _valid_international(digits)


def _drama(digits: str, code: str) -> bool:
    """Return whether +CC digits are a UK drama-range number (+44 (0)7700 900 123)."""
    rest = digits[len(code) :]
    rest = rest[1:] if rest.startswith("0") else rest
    return digits.startswith(code) and len(rest) == 10 and rest[:7] in _DRAMA


def _edges_ok(text: str, start: int, end: int) -> bool:
    """Return whether the candidate is not glued to letters, digits or more digit groups."""
    before, after = text[max(0, start - 2) : start], text[end : end + 2]
    if before[-1:].isalnum() or before[-1:] in ("/", ".", "_", "-", "#", "$", "+"):
        return False
    if before[-1:] == " " and before[:1].isdigit():
        return False
    if after[:1].isalnum() and not _EXTENSION.match(text, end) or after[:1] in ("/", "_"):
        return False
    return not (after[:1] in " .-:" and after[1:2].isdigit())


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the number when it parses as a valid number of a configured region."""
    text = ctx.text
    value = text[start:end]
    full_end = end
    extension = _EXTENSION.search(value) if "x" in value or "t" in value else None
    if extension is not None and extension.end() == len(value) and extension.start() > 0:
        end = start + extension.start()
        value = text[start:end]
    digit_count = sum(map(str.isdigit, value))
    if not 7 <= digit_count <= 15 or not _edges_ok(text, start, end) or _DATE_LIKE.match(value):
        return []
    plain = value.isdigit()
    if plain and value[0] != "0":
        near = ctx.near(CONTEXT, start, end, 32)
        if not near or not _valid(value, ctx.regions):
            return []
    elif _valid(value, ctx.regions):
        near = ctx.near(CONTEXT, start, end, 32)
    else:
        return []
    if plain and ctx.tabular():
        label = ctx.labels(start)
        if label and NOT_PERSONAL.search(label) and not CONTEXT.search(label):
            return []
    if full_end > end and not plain:
        end = full_end
    score = 0.6 if plain else 0.75
    if value.startswith("+"):
        score += 0.1
    if near:
        score += 0.15
    if NOT_PERSONAL.search(ctx.before(start, 20)):
        score -= 0.4
    return [(start, end, clamp(score))]


DETECTOR = Detector(
    entity="PHONE_NUMBER",
    patterns=(
        r"\+\d{1,3}[ .\-]?(?:\(0\) ?)?(?:\(\d{1,4}\)[ .\-]?)?\d{1,5}(?:[ .\-]?\d{2,6}){1,4}\b",
        r"(?:\(0\d{1,4}\) ?|\b0\d{1,4}[ .\-]?)\d{2,6}(?:[ .\-]?\d{2,6}){0,3}\b",
        r"(?:\(\d{3}\) ?|\b\d{3}[ .\-]?)\d{3}[ .\-]\d{4}\b",
        r"\b[6-9]\d{4}[ \-]?\d{5}\b",
        r"\b\d{10,11}\b",
        r"\b(?:44|63|91)\d{10}\b",
        r"\b1[ .\-](?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}\b",
        r"(?:\+1[ .\-]?|\b001[ .\-]|\b1[ .\-])?(?:\(\d{3}\) ?|\b\d{3}[ .\-])\d{3}[ .\-]\d{4}"
        r"(?i:x| ?ext\.? ?)\d{1,5}\b",
    ),
    check=_check,
    rank=15,
)
