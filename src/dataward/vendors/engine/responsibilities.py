"""The responsibilities matrix: per activity, who does it and who answers for it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dataward.errors import DatawardError

PARTIES = ("operation", "vendor", "client")
#: The activities every vendor's matrix lists, with what each covers.
ACTIVITIES = {
    "patching": "Security patches on systems that hold or reach the data",
    "log_retention": "Collecting and keeping security logs",
    "incident_notification": "Detecting incidents and notifying the operation and clients",
    "access_reviews": "Reviewing who can reach systems holding the data",
    "backups": "Backing up the data and proving restores work",
    "encryption_keys": "Managing the keys that encrypt the data",
    "data_deletion": "Returning or destroying the data when the service ends",
}
ACTIVITY_RE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")


@dataclass(frozen=True)
class Assignment:
    """Who is responsible (does the work) and who is accountable (answers for it)."""

    activity: str
    responsible: tuple[str, ...]
    accountable: str
    note: str = ""


def activity_name(text: str) -> str:
    """Return an activity's key: lower case with underscores ('log retention' -> log_retention)."""
    name = re.sub(r"[\s-]+", "_", text.strip().lower())
    if not ACTIVITY_RE.match(name):
        raise DatawardError(
            "an activity is 2-50 letters, digits or underscores",
            "ACTIVITY",
            f"use one of {', '.join(ACTIVITIES)} or a short name of your own",
        )
    return name


def parties(values: Sequence[str], option: str, one: bool) -> tuple[str, ...]:
    """Return the parties named (operation, vendor, client); ``one`` allows exactly one."""
    names = tuple(
        dict.fromkeys(p.strip().lower() for v in values for p in v.split(",") if p.strip())
    )
    if not names:
        raise DatawardError("no party given", option, f"name one of {', '.join(PARTIES)}")
    unknown = [n for n in names if n not in PARTIES]
    if unknown:
        raise DatawardError(f"{unknown[0]!r} is not a party", option, f"use {', '.join(PARTIES)}")
    if one and len(names) > 1:
        raise DatawardError(
            "exactly one party is accountable", option, "name one; several may be responsible"
        )
    return names


def matrix(assigned: Mapping[str, Assignment]) -> list[Assignment | str]:
    """Return the matrix in order: every default activity, then the vendor's own.

    An activity nobody was assigned is returned as its name alone, so listings show the gap.
    """
    rows: list[Assignment | str] = [assigned.get(a, a) for a in ACTIVITIES]
    rows += [assigned[a] for a in sorted(assigned) if a not in ACTIVITIES]
    return rows
