"""Turn a detected value into a canonical form to fingerprint and a safe masked preview."""

from __future__ import annotations

import re

import phonenumbers

from dataward.discovery.engine.types import DEFAULT_REGIONS

_DIGIT_TYPES = frozenset(
    {"CREDIT_CARD", "US_SSN", "US_BANK_NUMBER", "UK_NHS", "IN_AADHAAR", "PH_TIN", "PH_SSS"}
)
_SPACE = re.compile(r"\s+")
_NON_DIGITS = re.compile(r"[^0-9]")


def _digits(value: str) -> str:
    """Return only the digits of a value."""
    return _NON_DIGITS.sub("", value)


_PERSONAL = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)


def _phone(value: str) -> str:
    """Return a phone number in E.164, preferring a region where it is a personal line.

    Regions are tried in order and the first personal line wins, so most numbers parse once.
    """
    fallback: phonenumbers.PhoneNumber | None = None
    for region in (None,) if value.strip().startswith("+") else DEFAULT_REGIONS:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        # is_valid_number is number_type != UNKNOWN, and each costs a metadata walk: ask once.
        kind = phonenumbers.number_type(number)
        if kind == phonenumbers.PhoneNumberType.UNKNOWN:
            continue
        if kind in _PERSONAL:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        fallback = fallback or number
    if fallback is not None:
        return phonenumbers.format_number(fallback, phonenumbers.PhoneNumberFormat.E164)
    return "+" + _digits(value) if value.strip().startswith("+") else _digits(value)


def normalize(entity_type: str, value: str) -> str:
    """Return the canonical form of a value so one value written differently counts once."""
    value = value.strip()
    if entity_type in _DIGIT_TYPES:
        return _digits(value)
    if entity_type == "PHONE_NUMBER":
        return _phone(value)
    if entity_type == "EMAIL_ADDRESS":
        return value.lower()
    if entity_type in ("IBAN_CODE", "UK_NINO", "IN_PAN", "US_PASSPORT"):
        return _SPACE.sub("", value).replace("-", "").upper()
    if entity_type == "IP_ADDRESS":
        return value.lower()
    if entity_type == "PERSON":
        return _SPACE.sub(" ", value).lower()
    if entity_type == "DATE_OF_BIRTH":
        return _SPACE.sub(" ", value).lower()
    return value


def _tail(value: str, keep: int = 4) -> str:
    """Return stars for all but the last ``keep`` alphanumerics (fewer for short values)."""
    chars = [c for c in value if c.isalnum()]
    keep = keep if len(chars) >= 8 else len(chars) // 3
    return "*" * max(4, len(chars) - keep) + "".join(chars[len(chars) - keep :] if keep else [])


def _secret_hint(value: str) -> str:
    """Return a type hint for a secret with every character of the value itself hidden."""
    for prefix, hint in (
        ("-----BEGIN", "private-key"),
        ("AKIA", "aws-key-id"),
        ("ASIA", "aws-key-id"),
        ("ghp_", "github-token"),
        ("github_pat_", "github-token"),
        ("xox", "slack-token"),
        ("AIza", "google-api-key"),
        ("sk_live_", "stripe-key"),
        ("rk_live_", "stripe-key"),
        ("eyJ", "jwt"),
    ):
        if value.startswith(prefix):
            return f"[{hint}:********]"
    return "[secret:********]"


def mask(entity_type: str, value: str) -> str:
    """Return a safe preview: at most the last four characters of an identifier, no secrets."""
    value = value.strip()
    if entity_type == "SECRET":
        return _secret_hint(value)
    if entity_type == "EMAIL_ADDRESS":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}" if domain else _tail(value)
    if entity_type == "PERSON":
        return " ".join(f"{p[:1]}***" for p in value.split()) or "***"
    if entity_type == "DATE_OF_BIRTH":
        return "**/**/" + (_digits(value)[-4:] if len(_digits(value)) >= 6 else "****")
    if entity_type == "IP_ADDRESS":
        if ":" in value:
            return value.split(":")[0] + ":****"
        return ".".join(value.split(".")[:2]) + ".*.*"
    return _tail(value)
