"""Detect dates of birth: a real past date in a common format with birth wording right before."""

from __future__ import annotations

import re
from datetime import date

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import Detector, Hit, words

CONTEXT = words(
    "dob", "d.o.b", "d.o.b.", "date of birth", "birth", "born", "birthday", "birthdate",
    "birth date", "b'day", "bday", "born on", "dateofbirth", "d o b",
)  # fmt: skip
TODAY = date(2026, 11, 29)
_ABBR = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS = {m: i + 1 for i, m in enumerate(_ABBR)}
_PARTS = re.compile(r"\d+|[A-Za-z]+")
_TIME_AFTER = re.compile(r"^(?:[ T]\d{1,2}:\d{2}|T\d)")
#: Exports store a date of birth as a midnight timestamp ("1987-03-14 00:00:00").
_MIDNIGHT = re.compile(r"^[ T]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?\b")


def _fields(value: str) -> tuple[int, int, int] | None:
    """Return (year, first number, second number) or (year, month, day) for named months."""
    parts = [p for p in _PARTS.findall(value) if p.lower() not in ("st", "nd", "rd", "th", "of")]
    if len(parts) != 3:
        return None
    named = [p for p in parts if p.isalpha()]
    if named:
        month = MONTHS.get(named[0][:3].lower())
        nums = [int(p) for p in parts if p.isdigit()]
        if month is None or len(nums) != 2:
            return None
        day, year = (nums[0], nums[1]) if nums[1] > 31 else (nums[1], nums[0])
        if len(parts[2]) == 2 and parts[2].isdigit():
            day, year = nums[0], nums[1] + (1900 if nums[1] > TODAY.year % 100 else 2000)
        return year, month, day
    a, b, c = (int(p) for p in parts)
    if len(parts[0]) == 4:
        return a, b, c
    if len(parts[2]) == 2:
        c += 1900 if c > TODAY.year % 100 else 2000
    return c, a, b


def _real(year: int, first: int, second: int, named: bool) -> bool:
    """Return whether the fields make a plausible birth date (either day/month order)."""
    orders = ((first, second),) if named else ((first, second), (second, first))
    for month, day in orders:
        try:
            born = date(year, month, day)
        except ValueError:
            continue
        if date(1900, 1, 1) <= born <= TODAY:
            return True
    return False


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the date when birth wording sits right before it (or in its header)."""
    text = ctx.text
    value = text[start:end]
    if text[start - 1 : start].isalnum():
        return []
    if _TIME_AFTER.match(text[end : end + 6]) and not _MIDNIGHT.match(text[end : end + 20]):
        return []
    if not ctx.cue(CONTEXT, start):
        return []
    fields = _fields(value)
    if fields is None or not _real(*fields, named=any(c.isalpha() for c in value)):
        return []
    return [(start, end, 0.9)]


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DETECTOR = Detector(
    entity="DATE_OF_BIRTH",
    patterns=(
        r"\b\d{4}[\-/.]\d{1,2}[\-/.]\d{1,2}\b",
        r"\b\d{1,2}[\-/.]\d{1,2}[\-/.]\d{4}\b",
        r"\b\d{1,2}/\d{1,2}/\d{2}\b",
        r"\b\d{1,2}-\d{1,2}-\d{2}\b",
        r"\b\d{1,2}\.\d{1,2}\.\d{2}\b",
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?[ \-]{_MONTH}[ \-,]{{1,2}}\d{{4}}\b",
        rf"\b\d{{1,2}}(?:st|nd|rd|th)? of {_MONTH},? \d{{4}}\b",
        rf"\b\d{{1,2}}[ \-]{_MONTH}[ \-]\d{{2}}\b",
        rf"\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}\b",
    ),
    check=_check,
    rank=11,
    caseless=True,
)
