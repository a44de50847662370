"""Change the vendor register: import, add, update, review; each change audited."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from dataward.core import audit
from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.vendors import records
from dataward.vendors.engine.model import CADENCE_MONTHS, OUTCOMES, STATUSES, add_months
from dataward.vendors.engine.register import OPTIONS, VendorSpec, consistent, key, read_register
from dataward.vendors.models import Vendor, VendorReview

IMPORT_COLUMNS = ["file", "rows", "added", "updated", "unchanged", "not_in_file"]


def _apply(v: Vendor, fields: Mapping[str, Any]) -> None:
    """Set the given fields on a vendor (lists stored as lists)."""
    for name, value in fields.items():
        setattr(v, name, list(value) if isinstance(value, tuple) else value)


def _save(ws: Workspace, op: Client, spec: VendorSpec, v: Vendor | None) -> str:
    """Add or update one vendor from a spec; return added, updated or unchanged."""
    now = ws.clock()
    if v is None:
        v = Vendor(client=op, name=spec.name, key=key(spec.name), created_at=now, updated_at=now)
        _apply(v, spec.fields)
        v.save()
        audit.record(ws, "vendor.add", None, "vendor", v.name, after=records.state(v))
        return "added"
    before = records.state(v)
    v.name = spec.name
    _apply(v, spec.fields)
    if records.state(v) == before:
        return "unchanged"
    v.updated_at = now
    v.save()
    audit.record(ws, "vendor.update", None, "vendor", v.name, before, records.state(v))
    return "updated"


def import_register(
    ws: Workspace, path: Path, mapping: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Add or update every vendor of a register file, all or nothing; return the counts.

    Vendors the file does not list are left as they are (counted as not_in_file): the register
    may be split over files, and a vendor leaves by being offboarded, not by a missing row.
    """
    ws.require(Action.IMPORT, None)
    op = ensure_operation(ws)
    specs = read_register(path, records.known(ws), ws.clock().date(), mapping)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        current = {v.key: v for v in records.all_vendors(op)}
        for spec in specs:
            counts[_save(ws, op, spec, current.get(key(spec.name)))] += 1
        listed = {key(s.name) for s in specs}
        missing = sum(1 for k in current if k not in listed)
        detail = {"location": str(path), "sha256": sha, "rows": len(specs), **counts}
        audit.record(ws, "vendors.import", None, "vendor_register", path.name, detail=detail)
    return {"file": str(path), "rows": len(specs), **counts, "not_in_file": missing}


def add(ws: Workspace, spec: VendorSpec) -> Vendor:
    """Add a vendor that is not in the register yet."""
    ws.require(Action.IMPORT, None)
    op = ensure_operation(ws)
    with transaction.atomic():
        if Vendor.objects.for_client(op).filter(key=key(spec.name)).exists():
            raise DatawardError(
                f"vendor {spec.name!r} is in the register", "vendors add", "use vendors update"
            )
        _save(ws, op, spec, None)
    return records.find(ws, spec.name)


def update(ws: Workspace, spec: VendorSpec, status: str | None = None) -> tuple[Vendor, bool]:
    """Change the given fields of a vendor (and its status); return it and whether it changed."""
    ws.require(Action.IMPORT, None)
    if status is not None and status not in STATUSES:
        raise DatawardError(f"no status {status!r}", "--status", "use active or offboarded")
    op = ensure_operation(ws)
    with transaction.atomic():
        v = records.find(ws, spec.name)
        fields = {**spec.fields, **({"status": status} if status else {})}
        merged = {**{f: getattr(v, f) for f in ("last_review", "next_review_due")}, **fields}
        consistent(merged, lambda f, what, hint: DatawardError(what, OPTIONS.get(f, f), hint))
        changed = _save(ws, op, VendorSpec(v.name, fields), v) == "updated"
    return v, changed


def review(
    ws: Workspace, name: str, on: date | None, next_due: date | None, outcome: str, note: str
) -> dict[str, Any]:
    """Record a security review; the next is due by the tier's cadence unless given."""
    ws.require(Action.APPROVE, None)
    if outcome not in OUTCOMES:
        raise DatawardError(f"no outcome {outcome!r}", "--outcome", f"use {', '.join(OUTCOMES)}")
    op = ensure_operation(ws)
    today = ws.clock().date()
    on = on or today
    if on > today:
        raise DatawardError(f"{on} is in the future", "--on", "record a review once it is done")
    with transaction.atomic():
        v = records.find(ws, name)
        if v.last_review and on < v.last_review:
            raise DatawardError(
                f"{on} is before the last review ({v.last_review})", "--on", "give a later date"
            )
        tier = records.facts(op, [v])[v.pk].tier
        due = next_due or add_months(on, CADENCE_MONTHS[tier])
        if due <= on:
            raise DatawardError(f"{due} is not after the review", "--next", "give a later date")
        before = records.state(v)
        v.last_review, v.next_review_due, v.updated_at = on, due, ws.clock()
        v.save()
        VendorReview.objects.create(
            client=op,
            vendor=v,
            reviewed_on=on,
            next_due=due,
            outcome=outcome,
            tier=tier,
            note=note,
            reviewer=ws.actor.name,
            recorded_at=ws.clock(),
        )
        detail = {"outcome": outcome, "tier": tier, "reviewed_on": str(on), "next_due": str(due)}
        audit.record(ws, "vendor.review", None, "vendor", v.name, before, records.state(v), detail)
    longer = due > add_months(on, CADENCE_MONTHS[tier])
    return {
        "vendor": v.name,
        "tier": tier,
        "reviewed_on": on,
        "outcome": outcome,
        "next_review_due": due,
        "beyond_cadence": longer,
    }
