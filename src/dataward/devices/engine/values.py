"""Read the values device sources use: yes/no words, OS names, versions, dates and minutes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

YES = frozenset(
    {
        "true", "yes", "y", "1", "on", "enabled", "enable", "encrypted", "all encrypted",
        "blocked", "block", "running", "active", "compliant", "managed", "good", "protected",
        "ok", "up to date", "current",
    }
)  # fmt: skip
NO = frozenset(
    {
        "false", "no", "n", "0", "off", "disabled", "disable", "not encrypted", "unencrypted",
        "decrypted", "allowed", "allow", "not blocked", "stopped", "not running", "inactive",
        "noncompliant", "not compliant", "unmanaged", "poor", "unprotected", "out of date",
        "overdue", "expired", "encrypting", "decrypting", "partially encrypted",
        "not configured",
    }
)  # fmt: skip
#: The longest screen-lock delay read as a value (a year, in minutes).
MAX_MINUTES = 366 * 24 * 60
UNKNOWN = frozenset({"", "unknown", "n/a", "na", "-", "not reported", "not available", "null"})
_WORDS = re.compile(r"[\s_]+")
_DIGITS = re.compile(r"\d+")
_VERSION = re.compile(r"\s*v?\d{1,9}(?:\.\d{1,9})*(?![\w.])")
#: What a timestamp too far from now for the platform raises besides ValueError.
_RANGE = (OverflowError, OSError)
_OS_IDS = (
    ("windows", "windows", "windows"),
    ("mac os", "macos", "macos"),
    ("macos", "macos", "macos"),
    ("os x", "macos", "macos"),
    ("darwin", "macos", "macos"),
    ("ipados", "ios", "ios"),
    ("ios", "ios", "ios"),
    ("android", "android", "android"),
    ("chrome", "chromeos", "chromeos"),
)
LINUX_IDS = (
    "ubuntu", "debian", "rhel", "red hat", "centos", "rocky", "almalinux", "fedora", "sles",
    "suse", "opensuse", "amzn", "amazon linux", "arch", "linuxmint", "pop", "kali", "alpine",
)  # fmt: skip
_LINUX_KEYS = {"red hat": "rhel", "amazon linux": "amzn", "suse": "sles"}


def words(text: str) -> str:
    """Return text lower-cased with runs of spaces and underscores as one space."""
    return _WORDS.sub(" ", text.strip().lower())


def yes_no(text: str) -> bool | None:
    """Return True or False for a yes/no word a source uses; None when it says nothing.

    Raise ValueError for a word that is neither (the caller names the cell).
    """
    value = words(text)
    if value in UNKNOWN:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(text)


#: Words a source uses for where a device works (besides yes/no).
REMOTE_WORDS = {"remote": True, "home": True, "wfh": True, "work from home": True,
                "office": False, "on site": False, "onsite": False, "site": False}  # fmt: skip


def remote(text: str) -> bool | None:
    """Return whether a device works remotely from yes/no or a word such as Remote or Office.

    Raise ValueError for anything else (never guess "on site" from a word not understood).
    """
    value = words(text)
    return REMOTE_WORDS[value] if value in REMOTE_WORDS else yes_no(value)


def os_identity(name: str, version: str = "") -> tuple[str | None, str | None]:
    """Return (family, policy key) for an OS name: ("linux", "ubuntu"), ("windows", "windows")."""
    text = words(f"{name} {version}") if name else ""
    if not text:
        return None, None
    for needle, family, key in _OS_IDS:
        if needle in text:
            return family, key
    for needle in LINUX_IDS:
        if re.search(rf"\b{re.escape(needle)}\b", text):
            return "linux", _LINUX_KEYS.get(needle, needle)
    if "linux" in text:
        return "linux", "linux"
    return "other", words(name).split(" ")[0]


def version_tuple(text: str) -> tuple[int, ...]:
    """Return the numbers of a version for comparing: '10.0.22631.4460' -> (10, 0, 22631, 4460)."""
    return tuple(int(n) for n in _DIGITS.findall(text)[:6])


def comparable(version: str) -> bool:
    """Return whether a version starts with dotted numbers ('14.7.1 (23H222)', '22.04 LTS').

    A release label such as '24H2', or 'unknown', is not a version a minimum can be compared
    with: read as numbers, '22H2' (Windows 10) would pass a minimum of '10.0.22631'.
    """
    return _VERSION.match(version) is not None


def at_least(version: str, minimum: str) -> bool:
    """Return whether a version is at least the minimum, comparing as many parts as both give."""
    have, want = version_tuple(version), version_tuple(minimum)
    width = max(len(have), len(want))
    return have + (0,) * (width - len(have)) >= want + (0,) * (width - len(want))


def parse_day(text: str) -> date | None:
    """Return a date from ISO text, an ISO timestamp, M/D/YYYY, or Unix seconds; None if empty.

    Raise ValueError when the text is none of these.
    """
    value = text.strip()
    if words(value) in UNKNOWN:
        return None
    if value.isdigit() and len(value) >= 9:
        return _epoch(value).date()
    if "/" in value:
        month, day, year = (int(p) for p in value.split(" ")[0].split("/"))
        try:
            return date(year, month, day)
        except _RANGE:  # a year too large for a C int
            raise ValueError("out of range") from None
    if len(value) > 10 and value[10] in "T ":
        moment = parse_moment(value)
        return moment.date() if moment else None
    return date.fromisoformat(value[:10])


def _epoch(digits: str) -> datetime:
    """Return the moment of Unix seconds; ValueError when out of any calendar's range."""
    try:
        return datetime.fromtimestamp(int(digits[:20]), UTC)
    except _RANGE:
        raise ValueError("out of range") from None


def parse_moment(text: str) -> datetime | None:
    """Return an aware UTC timestamp from ISO text or Unix seconds; None if empty.

    Raise ValueError when the text is neither.
    """
    value = text.strip()
    if words(value) in UNKNOWN:
        return None
    if value.isdigit() and len(value) >= 9:
        return _epoch(value)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def minutes(text: str) -> tuple[bool | None, int | None]:
    """Return (screen lock on, minutes) from '5', '5 minutes', '300 seconds', 'never' or 'off'.

    Raise ValueError for anything else.
    """
    value = words(text)
    if value in UNKNOWN:
        return None, None
    if value in ("never", "off", "disabled", "0", "no"):
        return False, None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?)?", value)
    if match is None:
        raise ValueError(text)
    amount = float(match.group(1))
    if (match.group(2) or "m").startswith("s"):
        amount /= 60
    if amount > MAX_MINUTES:  # no device idles a year: a slip of the exporting script
        raise ValueError(text)
    return True, max(1, round(amount))


def names(text: str) -> tuple[str, ...]:
    """Return a list cell split on ';', ',' or '|', without empties or repeats."""
    parts = re.split(r"[;,|\n]", text)
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
