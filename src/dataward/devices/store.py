"""Store what the connectors read: an import replaces its source's devices in one transaction.

A device whose posture changed gets a new recorded state (the old one is closed); one that
only checked in again has its ``last_seen`` updated in place; one the import no longer holds is
closed. Importing the same export twice changes nothing and says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from django.db import connection, transaction

from dataward.core import audit
from dataward.core.bulk import insert_rows
from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action
from dataward.core.workspace import Workspace
from dataward.devices.engine.policy import Policy
from dataward.devices.engine.types import Device, DeviceImport, as_state
from dataward.devices.models import DeviceImport as ImportRecord
from dataward.devices.models import DevicePolicyRecord, DeviceState

BATCH = 2000
STATE_FIELDS = (
    "client", "source", "key", "name", "name_key", "state", "digest", "origin", "trace",
    "last_seen", "valid_from", "recorded_by", "row",
)  # fmt: skip
T = TypeVar("T")


def digest(path: Path) -> str:
    """Return the sha256 of a file, or of every file of a folder in name order."""
    h = hashlib.sha256()
    for file in sorted(path.iterdir()) if path.is_dir() else [path]:
        if file.is_file():
            with file.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()


def _sha(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def stored(device: Device) -> tuple[dict[str, Any], str, str]:
    """Return the recorded state of a device, its digest, and the digest of what is refreshed.

    The state leaves out ``last_seen`` and ``origin`` (kept in their own columns): a device that
    only checked in again, or whose values came from another file, keeps its recorded state.
    """
    state = as_state(device)
    state.pop("last_seen", None)
    state.pop("origin", None)
    return state, _sha(state), _sha([device.origin, device.last_seen])


def _chunks(items: Sequence[T], size: int = BATCH) -> Iterable[Sequence[T]]:
    """Yield slices small enough for SQLite's limit on query parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _refresh(rows: list[tuple[Device, str, int]]) -> None:
    """Update last_seen and origin of states whose posture did not change."""
    if not rows:
        return
    meta = DeviceState._meta
    seen, origin = meta.get_field("last_seen"), meta.get_field("origin")
    table = connection.ops.quote_name(meta.db_table)
    sql = f"UPDATE {table} SET last_seen = %s, origin = %s, trace = %s WHERE id = %s"  # noqa: S608
    values = [
        (seen.get_db_prep_save(d.last_seen, connection),
         origin.get_db_prep_save(d.origin, connection), trace, pk)
        for d, trace, pk in rows
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for part in _chunks(values):
            cursor.executemany(sql, part)


def import_devices(
    ws: Workspace, result: DeviceImport, source: str, location: str, sha: str
) -> dict[str, Any]:
    """Make these the source's current devices; return the counts the command prints."""
    op = ensure_operation(ws)
    ws.require(Action.IMPORT, None)
    now = ws.clock()
    incoming = {d.key: (d, *stored(d)) for d in result.devices}
    with transaction.atomic():
        current_rows = DeviceState.objects.for_client(op).filter(
            source=source, valid_to__isnull=True
        )
        current = {
            key: (pk, dig, trace)
            for pk, key, dig, trace in current_rows.values_list("id", "key", "digest", "trace")
        }
        added = [k for k in incoming if k not in current]
        changed = [k for k in incoming if k in current and current[k][1] != incoming[k][2]]
        removed = [k for k in current if k not in incoming]
        fresh = [
            (incoming[k][0], incoming[k][3], current[k][0])
            for k in incoming
            if k in current and k not in changed and current[k][2] != incoming[k][3]
        ]
        counts = {
            "devices": len(incoming), "added": len(added), "changed": len(changed),
            "removed": len(removed), "refreshed": len(fresh),
        }  # fmt: skip
        unchanged = not (added or changed or removed or fresh)
        run = ImportRecord.objects.create(
            client=op, kind=result.kind, source=source, location=location, sha256=sha,
            counts=counts, imported_at=now, actor=ws.actor.name,
        )  # fmt: skip
        closing = [current[k][0] for k in (*changed, *removed)]
        for part in _chunks(closing):
            DeviceState.objects.for_client(op).filter(id__in=list(part)).update(valid_to=now)
        _refresh(fresh)
        rows = (
            (op.pk, source, key, d.name, d.name.lower(), state, dig, d.origin, trace, d.last_seen,
             now, run.pk, d.row)
            for key in (*added, *changed)
            for d, state, dig, trace in [incoming[key]]
        )  # fmt: skip
        insert_rows(DeviceState, STATE_FIELDS, rows, BATCH)
        detail = {"kind": result.kind, "source": source, "location": location, "sha256": sha,
                  "unchanged": unchanged, **counts}  # fmt: skip
        audit.record(ws, "devices.import", None, "device_source", source, detail=detail)
    return {"kind": result.kind, "source": source, **counts, "unchanged": unchanged}


def stored_policy(op: Any) -> dict[str, Any] | None:
    """Return the stored policy as plain data (for audit before/after), or None."""
    record = DevicePolicyRecord.objects.for_client(op).first()
    return dict(record.spec) if record else None


def save_policy(ws: Workspace, policy: Policy, location: str, sha: str) -> dict[str, Any]:
    """Make this the device policy in force, audited; unchanged when it says the same."""
    op = ensure_operation(ws)
    ws.require(Action.IMPORT, None)
    for slug in sorted(policy.clients):
        ws.require(Action.IMPORT, slug)
    after = policy.as_dict()
    with transaction.atomic():
        before = stored_policy(op)
        unchanged = before == after
        if not unchanged:
            DevicePolicyRecord.objects.for_client(op).delete()
            DevicePolicyRecord.objects.create(
                client=op, spec=after, location=location, sha256=sha, loaded_at=ws.clock()
            )
        detail = {"location": location, "sha256": sha, "unchanged": unchanged,
                  "clients": sorted(policy.clients), "sites": sorted(policy.sites)}  # fmt: skip
        audit.record(
            ws, "devices.policy.load", None, "device_policy", "policy", before, after, detail
        )
    return {"location": location, "unchanged": unchanged, "clients": len(policy.clients),
            "sites": len(policy.sites)}  # fmt: skip
