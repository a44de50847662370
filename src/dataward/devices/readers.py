"""Read devices from the store as engine records, linked to people, for checks and commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q

from dataward.core.clients import ensure_operation
from dataward.core.engine.memory import paused_gc
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.devices.engine.history import Snapshot
from dataward.devices.engine.judge import Entry, entries
from dataward.devices.engine.owners import Owners
from dataward.devices.engine.policy import Policy, builtin, from_dict
from dataward.devices.engine.types import Device, from_state
from dataward.devices.models import DeviceImport, DevicePolicyRecord, DeviceState

STATE_FIELDS = ("source", "state", "origin", "last_seen", "row")


@dataclass(frozen=True)
class Fleet:
    """The current inventory linked to people, the policy in force, and the day it is judged."""

    entries: tuple[Entry, ...]
    policy: Policy
    today: date
    imported: bool


def policy(op: Client) -> Policy:
    """Return the device policy in force: the loaded one, else the shipped default."""
    record = DevicePolicyRecord.objects.for_client(op).first()
    if record is None:
        return builtin()
    return from_dict(record.spec, record.location)


def _device(
    state: dict[str, Any], origin: dict[str, str], last_seen: datetime | None, row: int
) -> Device:
    """Return a stored state as a device, with where its values came from and its check-in."""
    seen = last_seen.isoformat() if last_seen else None
    return from_state({**state, "origin": origin, "last_seen": seen}, row)


def current(op: Client) -> list[tuple[Device, str]]:
    """Return every source's current devices as (device, source)."""
    rows = (
        DeviceState.objects.for_client(op)
        .filter(valid_to__isnull=True)
        .order_by("source", "name_key", "id")
        .values_list(*STATE_FIELDS)
    )
    return [
        (_device(s, origin, seen, row), src)
        for src, s, origin, seen, row in rows.iterator(chunk_size=5000)
    ]


def owners(op: Client) -> Owners:
    """Return who is behind each device: the HR roster, directory accounts, confirmed links."""
    from dataward.access.models import LinkDecision
    from dataward.access.readers import workforce

    people, accounts = workforce(op)
    confirmed = dict(LinkDecision.objects.for_client(op).values_list("username", "employee_id"))
    return Owners(people, [a for _, a in accounts], confirmed)


_FLEET: dict[str, Any] = {}


def _snapshot_key(op: Client) -> tuple[Any, ...]:
    """Return what identifies the stored inventory, roster and policy as they are now."""
    from django.db import connection

    from dataward.access.models import ImportRun, LinkDecision

    newest = DeviceImport.objects.for_client(op).order_by("-id").values_list("id", flat=True)
    people = ImportRun.objects.for_client(op).order_by("-id").values_list("id", flat=True)
    links = LinkDecision.objects.for_client(op).order_by("-id").values_list("id", flat=True)
    record = DevicePolicyRecord.objects.for_client(op).values_list("id", "loaded_at").first()
    return (str(connection.settings_dict.get("NAME")), op.pk, newest.first(), people.first(),
            links.first(), links.count(), record)  # fmt: skip


def linked(op: Client) -> tuple[tuple[Entry, ...], Policy, bool]:
    """Return the current devices linked to people, and the policy, read once per snapshot.

    Assessing every client reads the inventory once, as access reads the workforce once.
    """
    key = _snapshot_key(op)
    if _FLEET.get("key") != key:
        with paused_gc():
            found = owners(op)
            devices = current(op)
            value = (tuple(entries((d, s, found.of(d)) for d, s in devices)), policy(op),
                     key[2] is not None)  # fmt: skip
        _FLEET.clear()
        _FLEET.update(key=key, value=value)
    result: tuple[tuple[Entry, ...], Policy, bool] = _FLEET["value"]
    return result


def fleet(ws: Workspace, client: Client) -> Fleet:
    """Return what the device checks read (the same for every scope; checks narrow it)."""
    items, rules, imported = linked(ensure_operation(ws))
    return Fleet(items, rules, ws.clock().date(), imported)


def snapshots(op: Client, name: str) -> list[Snapshot]:
    """Return every recorded state of the devices with this name or serial, oldest first."""
    key = name.strip().lower()
    rows = (
        DeviceState.objects.for_client(op)
        .filter(Q(name_key=key) | Q(key=key))
        .order_by("valid_from", "id")
    )
    return [
        Snapshot(r.valid_from, r.valid_to, _device(r.state, r.origin, r.last_seen, r.row), r.source)
        for r in rows
    ]
