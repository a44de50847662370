"""Retention policies: how long each client's data of each category may be kept, and where.

A policy file is YAML:

    policies:
      - client: northbank          # a client slug, or "*" for every client
        category: PII              # PII, PCI, PHI, CREDENTIALS, FINANCIAL, or "*"
        keep_days: 365
        location: file             # file, table or any (default any)
        path: "exports/**"         # optional glob on the location's path
        note: contract schedule 4, clause 7
      - client: northbank
        category: PCI
        keep_days: 0               # card data is not kept once authorised

A rule with ``date_column`` judges each row of a spreadsheet or table by its own date (e.g.
exit_date for "HR records seven years after exit"); `dataward retention measure` counts them.
The client's own record (``retention_rules``) always applies too, as client-and-category rules.

When several rules match a location, the most specific wins (a client over "*", then a path,
then a location kind, then a category); among equally specific rules the shortest period wins.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dataward.errors import ImportFileError

CATEGORIES = ("PII", "PCI", "PHI", "CREDENTIALS", "FINANCIAL")
KINDS = ("file", "table", "any")
KEYS = {"client", "category", "keep_days", "location", "path", "note", "date_column", "day_first"}


@dataclass(frozen=True)
class Rule:
    """One retention rule."""

    client: str
    category: str
    keep_days: int
    location: str = "any"
    path: str = ""
    note: str = ""
    date_column: str = ""  # judge each row by this column's date, not the file's age
    day_first: bool = True  # read 04/03/2019 as 4 March (set false for US month-first exports)

    def matches(self, client: str, category: str, kind: str, path: str) -> bool:
        """Return whether the rule applies to a location of a client holding a category."""
        return (
            self.client in ("*", client)
            and self.category in ("*", category)
            and self.location in ("any", kind)
            and (not self.path or _glob(path, self.path))
        )

    def specificity(self) -> tuple[int, int, int, int]:
        """Return how specific the rule is: client, path, location kind, category."""
        return (
            self.client != "*",
            bool(self.path),
            self.location != "any",
            self.category != "*",
        )


def _glob(path: str, pattern: str) -> bool:
    """Return whether a path matches a glob, anywhere below the scanned root."""
    norm = path.replace("\\", "/").lower()
    pat = pattern.replace("\\", "/").lower()
    return fnmatch.fnmatch(norm, pat) or fnmatch.fnmatch(norm, f"*/{pat}")


def applicable(
    rules: Sequence[Rule], client: str, category: str, kind: str, path: str
) -> Rule | None:
    """Return the rule in force for one category of one location (None: no rule)."""
    found = [r for r in rules if r.matches(client, category, kind, path)]
    if not found:
        return None
    best = max(r.specificity() for r in found)
    return min((r for r in found if r.specificity() == best), key=lambda r: r.keep_days)


def from_client_record(slug: str, rules: Sequence[Mapping[str, Any]]) -> list[Rule]:
    """Return the rules a client's own record declares (category and days)."""
    out = []
    for r in rules:
        days = r.get("days")
        if isinstance(days, int) and not isinstance(days, bool) and r.get("category"):
            out.append(Rule(slug, str(r["category"]).upper(), days, note=str(r.get("note", ""))))
    return out


def load(path: Path, clients: set[str]) -> list[Rule]:
    """Read and validate a policy file; every problem is one line naming entry and field."""
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportFileError(f"cannot read ({exc.strerror})", where, "check the path") from None
    except (UnicodeDecodeError, yaml.YAMLError):
        raise ImportFileError("not valid YAML", where, "fix the indentation or quoting") from None
    if not isinstance(data, dict) or not isinstance(data.get("policies"), list):
        raise ImportFileError("needs a 'policies:' list", where, "see docs/retention.md")
    return [_rule(entry, n, where, clients) for n, entry in enumerate(data["policies"], start=1)]


def _rule(entry: Any, n: int, where: str, clients: set[str]) -> Rule:
    """Return one validated rule."""
    at = f"{where}, policy {n}"
    if not isinstance(entry, dict):
        raise ImportFileError("must be a mapping of keys", at, "write it as key: value lines")
    unknown = sorted(str(k) for k in set(entry) - KEYS)
    if unknown:
        raise ImportFileError(f"unknown key {unknown[0]!r}", at, f"use {', '.join(sorted(KEYS))}")
    client = str(entry.get("client", "")).strip().lower()
    if client != "*" and client not in clients:
        raise ImportFileError(
            "field 'client' is not a known client",
            at,
            "use a slug from `dataward clients list`, or *",
        )
    category = str(entry.get("category", "")).strip().upper()
    if category != "*" and category not in CATEGORIES:
        raise ImportFileError(
            "field 'category' is not a data category", at, f"use {', '.join(CATEGORIES)} or *"
        )
    days = entry.get("keep_days")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ImportFileError(
            "field 'keep_days' must be a whole number of days, 0 or more",
            at,
            "write e.g. keep_days: 365",
        )
    kind = str(entry.get("location", "any")).strip().lower()
    if kind not in KINDS:
        raise ImportFileError("field 'location' must be file, table or any", at, "fix it")
    path = str(entry.get("path") or "").strip()
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        raise ImportFileError(
            "field 'path' is a glob below the scanned root, not an absolute path",
            at,
            "write it as e.g. exports/** or */disputes/*",
        )
    column = str(entry.get("date_column") or "").strip()
    day_first = entry.get("day_first", True)
    if not isinstance(day_first, bool):
        raise ImportFileError("field 'day_first' must be true or false", at, "fix it")
    note = str(entry.get("note") or "").strip()
    return Rule(client, category, days, kind, path, note, column, day_first)
