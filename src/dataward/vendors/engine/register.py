"""Read and validate vendor records: from a register file (CSV or XLSX) or from options."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dataward.core.engine.clients import DATA_CATEGORIES
from dataward.core.engine.tabular import Row, quoted, read_rows
from dataward.errors import DatawardError, ImportFileError
from dataward.vendors.engine.model import ACCESS_KINDS, TIER_WORDS

COLUMNS = {
    "name": ("vendor", "vendor name", "supplier", "supplier name", "third party", "company"),
    "services": ("service", "services provided", "service provided", "description"),
    "clients": ("clients_served", "clients served", "client", "client accounts", "accounts"),
    "data_categories": ("categories", "data types", "data shared", "data"),
    "access": ("access level", "system access", "network access"),
    "owner": ("vendor owner", "relationship owner", "business owner", "contact owner"),
    "dpa_signed": ("dpa", "dpa in place", "data processing agreement", "dpa status"),
    "dpa_date": ("dpa signed on", "dpa signed date", "dpa signed_on"),
    "last_review": ("last reviewed", "last assessment", "reviewed on", "last review date"),
    "next_review_due": ("next review", "next review date", "review due", "next assessment"),
    "declared_tier": ("risk_tier", "risk tier", "tier", "risk", "risk rating", "criticality"),
}
REQUIRED = ("name",)
FIELDS = tuple(COLUMNS)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: The longest vendor name and owner the store keeps.
LIMITS = {"name": 200, "owner": 254}
#: Makes the error for a bad field: (field, what is wrong, what to do).
ErrorFn = Callable[[str, str, str], DatawardError]


@dataclass(frozen=True)
class VendorSpec:
    """One vendor as a file row or the command line gives it: the fields it sets, validated."""

    name: str
    fields: Mapping[str, Any]
    row: int = 0


@dataclass(frozen=True)
class Known:
    """What a vendor record is checked against: the client slugs and dataward user names."""

    clients: frozenset[str]
    users: frozenset[str]


def plain(text: str, field: str, err: ErrorFn) -> str:
    """Return text the store can keep: no NUL character, not longer than the field allows."""
    if "\x00" in text:
        raise err(field, "holds a NUL character", "re-export the file as plain text")
    limit = LIMITS.get(field)
    if limit is not None and len(text) > limit:
        raise err(field, f"is {len(text)} characters long, over {limit}", "shorten it")
    return text


def services(values: Iterable[str], err: ErrorFn) -> tuple[str, ...]:
    """Return the services a vendor provides, without empties."""
    return tuple(plain(s.strip(), "services", err) for s in values if s.strip())


def agreement(fields: dict[str, Any]) -> None:
    """Clear the DPA date of a vendor said to have no DPA (unless a date is given: an error)."""
    if fields.get("dpa_signed") is False:
        fields.setdefault("dpa_date", None)


def key(name: str) -> str:
    """Return the name a vendor is found by (case and spacing ignored)."""
    return " ".join(name.split()).casefold()


def clients(values: Iterable[str], known: Known, err: ErrorFn) -> tuple[str, ...]:
    """Return client slugs, each one that exists."""
    slugs = tuple(dict.fromkeys(v.strip().lower() for v in values if v.strip()))
    for slug in slugs:
        if slug not in known.clients:
            raise err(
                "clients",
                f"names unknown client {quoted(slug)}",
                "add it with dataward clients add",
            )
    return slugs


def categories(values: Iterable[str], err: ErrorFn) -> tuple[str, ...]:
    """Return data categories from the clients' vocabulary (any case, spaces allowed)."""
    out = tuple(dict.fromkeys(re.sub(r"[\s-]+", "_", v.strip()).upper() for v in values if v))
    for cat in out:
        if cat not in DATA_CATEGORIES:
            raise err(
                "data_categories",
                f"has unknown category {quoted(cat)}",
                f"use {', '.join(DATA_CATEGORIES)}",
            )
    return out


def access(values: Iterable[str], err: ErrorFn) -> tuple[str, ...]:
    """Return the access kinds (network, privileged); 'none' means neither."""
    out = tuple(dict.fromkeys(v.strip().lower() for v in values if v.strip()))
    for kind in out:
        if kind not in (*ACCESS_KINDS, "none"):
            raise err(
                "access", f"has unknown access {quoted(kind)}", "use network, privileged or none"
            )
    return tuple(k for k in out if k != "none")


def tier(text: str, err: ErrorFn) -> str:
    """Return low, medium or high ('' when not declared)."""
    word = text.strip().lower()
    if word and word not in TIER_WORDS:
        raise err("declared_tier", f"is {quoted(word)}, not a tier", "use low, medium or high")
    return TIER_WORDS.get(word, "")


def owner(text: str, known: Known, err: ErrorFn) -> str:
    """Return a dataward user name or an e-mail address ('' when none)."""
    value = plain(text.strip(), "owner", err)
    if value and value not in known.users and not EMAIL_RE.match(value):
        raise err(
            "owner",
            "is neither a dataward user nor an e-mail address",
            "give a user name from dataward users list, or an e-mail",
        )
    return value.lower() if "@" in value else value


def consistent(fields: Mapping[str, Any], err: ErrorFn) -> None:
    """Refuse fields that contradict each other (a review due before the last review)."""
    last, due = fields.get("last_review"), fields.get("next_review_due")
    if last is not None and due is not None and due <= last:
        raise err("next_review_due", f"{due} is not after last_review {last}", "fix the dates")
    if fields.get("dpa_date") is not None and fields.get("dpa_signed") is False:
        raise err("dpa_signed", "is no, yet a DPA date is given", "say yes or clear the date")


def _dpa(row: Row) -> tuple[bool | None, date | None]:
    """Return (signed, date) from a dpa_signed cell: yes/no, or the date it was signed."""
    text = row.text("dpa_signed")
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return True, row.day("dpa_signed")
    return row.flag("dpa_signed", default=False), None


def _spec(row: Row, known: Known, today: date) -> VendorSpec:
    """Turn one register row into a validated spec with the fields its file has columns for."""

    def err(field: str, what: str, hint: str) -> DatawardError:
        return row.error(field, what, hint)

    name = plain(" ".join(row.text("name", required=True).split()), "name", err)
    given = set(row.values)
    out: dict[str, Any] = {}
    if "services" in given:
        out["services"] = services(row.text("services").split(";"), err)
    if "clients" in given:
        out["clients"] = clients(row.items("clients"), known, err)
    if "data_categories" in given:
        out["data_categories"] = categories(row.items("data_categories"), err)
    if "access" in given:
        out["access"] = access(row.items("access"), err)
    if "owner" in given:
        out["owner"] = owner(row.text("owner"), known, err)
    if "dpa_signed" in given:
        out["dpa_signed"], signed_on = _dpa(row)
        if signed_on is not None:
            out["dpa_date"] = signed_on
    if "dpa_date" in given and row.text("dpa_date"):
        out["dpa_date"] = row.day("dpa_date")
        out.setdefault("dpa_signed", True)
    for field in ("last_review", "next_review_due"):
        if field in given:
            out[field] = row.day(field)
    if "declared_tier" in given:
        out["declared_tier"] = tier(row.text("declared_tier"), err)
    if out.get("last_review") and out["last_review"] > today:
        raise err("last_review", f"{out['last_review']} is in the future", "give the review date")
    agreement(out)
    consistent(out, err)
    return VendorSpec(name, out, row.number)


def read_register(
    path: Path, known: Known, today: date, mapping: Mapping[str, str] | None = None
) -> list[VendorSpec]:
    """Read every row of a vendor register; a repeated vendor is an error naming both rows."""
    specs: dict[str, VendorSpec] = {}
    for row in read_rows(path, COLUMNS, REQUIRED, mapping or {}):
        spec = _spec(row, known, today)
        first = specs.get(key(spec.name))
        if first is not None:
            raise ImportFileError(
                f"vendor {quoted(spec.name)} repeats row {first.row}",
                f"{path} row {row.number}",
                "keep one row per vendor",
            )
        specs[key(spec.name)] = spec
    return list(specs.values())


#: The command-line option that sets each field (errors name the option).
OPTIONS = {
    "name": "VENDOR",
    "services": "--service",
    "clients": "--client",
    "data_categories": "--category",
    "access": "--access",
    "owner": "--owner",
    "dpa_signed": "--dpa/--no-dpa",
    "dpa_date": "--dpa-date",
    "last_review": "--last-review",
    "next_review_due": "--next-review",
    "declared_tier": "--tier",
}


def from_options(name: str, given: Mapping[str, Any], known: Known, today: date) -> VendorSpec:
    """Return a validated spec from command-line values (only the options given)."""

    def err(field: str, what: str, hint: str) -> DatawardError:
        return DatawardError(what, OPTIONS.get(field, field), hint)

    name = plain(" ".join(name.split()), "name", err)
    if not name:
        raise DatawardError("a vendor needs a name", "VENDOR", "give the vendor's name")
    parts = {
        f: [p for v in given[f] for p in re.split(r"[;,]", v)]
        for f in given
        if f in ("clients", "data_categories", "access")
    }
    out: dict[str, Any] = {}
    if "services" in given:
        out["services"] = services(given["services"], err)
    if "clients" in parts:
        out["clients"] = clients(parts["clients"], known, err)
    if "data_categories" in parts:
        out["data_categories"] = categories(parts["data_categories"], err)
    if "access" in parts:
        out["access"] = access(parts["access"], err)
    if "owner" in given:
        out["owner"] = owner(given["owner"], known, err)
    if "declared_tier" in given:
        out["declared_tier"] = tier(given["declared_tier"], err)
    for field in ("dpa_signed", "dpa_date", "last_review", "next_review_due"):
        if field in given:
            out[field] = given[field]
    if out.get("dpa_date") is not None:
        out.setdefault("dpa_signed", True)
    if out.get("last_review") and out["last_review"] > today:
        raise err("last_review", f"{out['last_review']} is in the future", "give the review date")
    agreement(out)
    consistent(out, err)
    return VendorSpec(name, out)
