"""Validate client records: categories, frameworks, contract terms, as plain data."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from dataward.errors import DatawardError

DATA_CATEGORIES = ("PII", "PCI", "PHI", "FINANCIAL", "CREDENTIALS", "HR", "GOVERNMENT_ID")
FRAMEWORKS = ("NIST_CSF_2", "ISO27001_2022", "CIS_V8", "PCI_DSS_4", "HIPAA", "GDPR", "SOC2")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
HOURS_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


@dataclass
class ClientSpec:
    """A client record as given by a user or a file, before it is stored."""

    slug: str
    name: str
    industry: str = ""
    data_categories: list[str] = field(default_factory=list)
    frameworks: list[str] = field(default_factory=list)
    breach_notification_hours: int | None = None
    retention_rules: list[dict[str, Any]] = field(default_factory=list)
    approved_locations: list[str] = field(default_factory=list)
    phone_regions: list[str] = field(default_factory=list)
    timezone: str = "UTC"
    working_hours: str = ""
    security_contact: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the spec as a plain dict."""
        return asdict(self)


def parse_client(data: Mapping[str, Any], where: str) -> ClientSpec:
    """Build a validated ClientSpec from a mapping, naming ``where`` and the field on error."""
    known = set(ClientSpec.__dataclass_fields__)
    extra = sorted(set(data) - known)
    if extra:
        raise DatawardError(f"unknown field {extra[0]!r}", where, f"use one of {sorted(known)}")
    for required in ("slug", "name"):
        if not isinstance(data.get(required), str) or not data.get(required):
            raise DatawardError(f"field {required!r} is required", where, "add it")
    spec = ClientSpec(**{k: data[k] for k in data if k in known})
    validate(spec, where)
    return spec


def validate(spec: ClientSpec, where: str) -> None:
    """Raise a one-line DatawardError for the first invalid field of a client spec."""
    _types(spec, where)
    if not SLUG_RE.match(spec.slug) or spec.slug == "operation":
        raise DatawardError(
            "field 'slug' must be 2-63 lowercase letters, digits or dashes (not 'operation')",
            where,
            "choose a slug like 'northbank'",
        )
    _one_of(spec.data_categories, DATA_CATEGORIES, "data_categories", where)
    _one_of(spec.frameworks, FRAMEWORKS, "frameworks", where)
    hours = spec.breach_notification_hours
    if hours is not None and (not isinstance(hours, int) or isinstance(hours, bool) or hours <= 0):
        raise DatawardError(
            "field 'breach_notification_hours' must be a positive whole number", where, "fix it"
        )
    for i, rule in enumerate(spec.retention_rules):
        _retention_rule(rule, f"{where}, retention_rules[{i}]")
    if spec.timezone not in zoneinfo.available_timezones() and spec.timezone != "UTC":
        raise DatawardError(
            f"field 'timezone' is not a known time zone ({spec.timezone})",
            where,
            "use an IANA name like Asia/Manila",
        )
    if spec.working_hours and not HOURS_RE.match(spec.working_hours):
        raise DatawardError("field 'working_hours' must look like 08:00-20:00", where, "fix it")
    for region in spec.phone_regions:
        if not (isinstance(region, str) and len(region) == 2 and region.isupper()):
            raise DatawardError(
                "field 'phone_regions' takes two-letter region codes", where, "write US, GB, IN"
            )


LIST_FIELDS = (
    "data_categories",
    "frameworks",
    "retention_rules",
    "approved_locations",
    "phone_regions",
)
TEXT_FIELDS = ("slug", "name", "industry", "timezone", "working_hours", "security_contact")


def _types(spec: ClientSpec, where: str) -> None:
    """Check each field has the shape a file or option must give it, before its content."""
    for name in LIST_FIELDS:
        if not isinstance(getattr(spec, name), list):
            raise DatawardError(
                f"field {name!r} must be a list", where, "write [A, B] or one per line"
            )
    for name in TEXT_FIELDS:
        if not isinstance(getattr(spec, name), str):
            raise DatawardError(f"field {name!r} must be text", where, "quote the value")
    for location in spec.approved_locations:
        if not isinstance(location, str) or not location.strip():
            raise DatawardError(
                "field 'approved_locations' takes non-empty paths", where, "fix the entry"
            )
        _one_of(list(split_location(location)[1]), DATA_CATEGORIES, "approved_locations", where)


def split_location(entry: str) -> tuple[str, tuple[str, ...]]:
    """Split an approved location ``PATH`` or ``PATH=CAT,CAT`` into its path and categories.

    A location without categories is approved for every category the client entrusts.
    """
    path, sep, cats = entry.partition("=")
    categories = tuple(c.strip() for c in cats.split(",") if c.strip()) if sep else ()
    return path.strip().rstrip("/"), categories


def _one_of(values: Any, allowed: tuple[str, ...], name: str, where: str) -> None:
    if not isinstance(values, list):
        raise DatawardError(f"field {name!r} must be a list", where, "fix it")
    for value in values:
        if value not in allowed:
            raise DatawardError(
                f"field {name!r} has unknown value {value!r}", where, f"use {', '.join(allowed)}"
            )


def _retention_rule(rule: Any, where: str) -> None:
    if not isinstance(rule, dict) or "category" not in rule or "days" not in rule:
        raise DatawardError("a retention rule needs 'category' and 'days'", where, "fix it")
    if rule["category"] not in DATA_CATEGORIES:
        raise DatawardError(
            f"unknown category {rule['category']!r}", where, f"use {', '.join(DATA_CATEGORIES)}"
        )
    days = rule["days"]
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise DatawardError("'days' must be a whole number of days, 0 or more", where, "fix it")


def parse_retention(text: str) -> dict[str, Any]:
    """Parse a ``CATEGORY=DAYS`` option value into a retention rule."""
    category, sep, days = text.partition("=")
    if not sep or not days.strip().isdigit():
        raise DatawardError(
            f"retention rule {text!r} is not CATEGORY=DAYS", "--retention", "write PCI=0"
        )
    return {"category": category.strip().upper(), "days": int(days)}
