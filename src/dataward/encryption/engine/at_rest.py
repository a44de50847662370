"""Decide whether data sits on storage encrypted at rest, from the client's at-rest register.

The register maps a path or URL prefix of a data location (a share, a database, a bucket) to
encrypted, unencrypted or unknown. A location takes the state of the most specific entry that
covers it; when two equally specific entries disagree, unencrypted wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from dataward.core.engine.tabular import read_rows, shape
from dataward.errors import ImportFileError

STATES = ("encrypted", "unencrypted", "unknown")
_SAYS = {"yes": "encrypted", "true": "encrypted", "no": "unencrypted", "false": "unencrypted"}
COLUMNS: dict[str, tuple[str, ...]] = {
    "client": ("client_slug",),
    "path": ("location", "prefix", "url"),
    "at_rest": ("state", "encrypted", "encrypted_at_rest"),
    "method": ("how",),
    "note": ("evidence", "comment"),
}
_DRIVE = re.compile(r"^[a-zA-Z]:[\\/]")


@dataclass(frozen=True)
class AtRestEntry:
    """One line of the register: where, its state, and how it is encrypted (if it is)."""

    path: str
    state: str
    method: str = ""
    note: str = ""


def is_absolute(path: str) -> bool:
    """Return whether an entry names a full path or URL (else it matches anywhere)."""
    return "://" in path or path.startswith(("/", "\\")) or bool(_DRIVE.match(path))


def parts(path: str) -> tuple[str, ...]:
    """Return a path or URL as comparable parts: scheme and host without user, then folders.

    ``postgresql+psycopg://user:***@db:5432/claims#public.members`` and
    ``postgresql://db:5432/claims`` share their first three parts; Windows separators count
    as ``/`` and a drive letter's case is ignored.
    """
    text = path.strip().replace("\\", "/")
    if "://" in text:
        split = urlsplit(text)
        scheme = split.scheme.lower().split("+", 1)[0]
        host = split.netloc.rpartition("@")[2].lower()
        rest = f"{split.path}/{split.fragment}".replace("#", "/")
        return (f"{scheme}:", host, *_folders(rest))
    if _DRIVE.match(text):
        return (text[0].lower() + ":", *_folders(text[2:]))
    return _folders(text)


def _folders(text: str) -> tuple[str, ...]:
    return tuple(p for p in PurePosixPath(text).parts if p not in ("", ".", "/", "//"))


def _covers(entry: str, location: tuple[str, ...]) -> bool:
    want = parts(entry)
    n = len(want)
    if not n:
        return False
    if is_absolute(entry):
        return location[:n] == want
    return any(location[i : i + n] == want for i in range(len(location) - n + 1))


def state_of(location: str, entries: Sequence[AtRestEntry]) -> AtRestEntry | None:
    """Return the register entry that decides a location, or None when none covers it."""
    loc = parts(location)
    best: AtRestEntry | None = None
    best_len = -1
    for entry in entries:
        if not _covers(entry.path, loc):
            continue
        size = len(parts(entry.path))
        if size > best_len or (size == best_len and entry.state == "unencrypted"):
            best, best_len = entry, size
    return best


@dataclass(frozen=True)
class LocationState:
    """A data location holding sensitive data, the categories it holds and its at-rest state."""

    location: str
    categories: tuple[str, ...]
    values: int
    state: str  # encrypted, unencrypted, unknown
    entry: str = ""  # the register entry that decided, if any


def judge_locations(
    held: Iterable[tuple[str, str, int]], entries: Sequence[AtRestEntry]
) -> list[LocationState]:
    """Return each location's state from (location, category, count) rows of the inventory."""
    by_location: dict[str, dict[str, int]] = {}
    for location, category, count in held:
        cats = by_location.setdefault(location, {})
        cats[category] = cats.get(category, 0) + count
    out = []
    for location, cats in by_location.items():
        entry = state_of(location, entries)
        out.append(
            LocationState(
                location,
                tuple(sorted(cats)),
                sum(cats.values()),
                entry.state if entry else "unknown",
                entry.path if entry else "",
            )
        )
    return out


def clean_path(path: str) -> str:
    """Return an entry's path without surrounding space or a trailing separator."""
    text = path.strip()
    return text.rstrip("/\\") or text


def read_register(path: Path) -> list[tuple[str, AtRestEntry]]:
    """Return (client slug or "", entry) for every row of an at-rest register CSV/XLSX."""
    out: list[tuple[str, AtRestEntry]] = []
    seen: set[tuple[str, str]] = set()
    for row in read_rows(path, COLUMNS, ["path", "at_rest"]):
        where = clean_path(row.text("path", required=True))
        said = row.text("at_rest", required=True).lower()
        state = _SAYS.get(said, said)
        if state not in STATES:
            what = f"is not a state ({shape(said)})"  # never the cell itself
            raise row.error("at_rest", what, "write encrypted, unencrypted or unknown")
        client = row.text("client")
        if (client, where) in seen:
            raise row.error("path", "appears twice for the same client", "list it once")
        seen.add((client, where))
        out.append((client, AtRestEntry(where, state, row.text("method"), row.text("note"))))
    if not out:
        raise ImportFileError("lists no location", str(path), "add a row per PATH and state")
    return out
