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
UNKNOWN = frozenset({"", "unknown", "n/a", "na", "-", "not reported", "not available", "null"})
_WORDS = re.compile(r"[\s_]+")
_DIGITS = re.compile(r"\d+")
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
        return datetime.fromtimestamp(int(value), UTC).date()
    if "/" in value:
        month, day, year = (int(p) for p in value.split(" ")[0].split("/"))
        return date(year, month, day)
    if len(value) > 10 and value[10] in "T ":
        moment = parse_moment(value)
        return moment.date() if moment else None
    return date.fromisoformat(value[:10])


def parse_moment(text: str) -> datetime | None:
    """Return an aware UTC timestamp from ISO text or Unix seconds; None if empty.

    Raise ValueError when the text is neither.
    """
    value = text.strip()
    if words(value) in UNKNOWN:
        return None
    if value.isdigit() and len(value) >= 9:
        return datetime.fromtimestamp(int(value), UTC)
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
    return True, max(1, round(amount))


def names(text: str) -> tuple[str, ...]:
    """Return a list cell split on ';', ',' or '|', without empties or repeats."""
    parts = re.split(r"[;,|\n]", text)
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
