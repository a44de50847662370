"""Show one device: its recorded state now or on a past date, each rule, and its history."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, time
from typing import Any

from dataward.core.clients import ensure_operation
from dataward.core.workspace import Workspace
from dataward.devices import readers
from dataward.devices.engine.history import Snapshot, failing_since, state_at
from dataward.devices.engine.judge import Entry, judging, place
from dataward.devices.engine.policy import Policy
from dataward.devices.engine.rules import FAIL, RULES, judge
from dataward.devices.engine.types import Device
from dataward.devices.service import SHORT, entry_scopes, user_scopes
from dataward.errors import DatawardError

RULE_COLUMNS = ["rule", "client", "status", "failing_since", "reason"]
HISTORY_COLUMNS = ["recorded_from", "recorded_to", "changed"]


def _changes(before: Device | None, after: Device) -> list[str]:
    """Return the posture fields that differ between two states ('first recorded' at first)."""
    if before is None:
        return ["first recorded"]
    old, new = asdict(before.posture), asdict(after.posture)
    fields = [k for k in new if old.get(k) != new[k]]
    fields += [k for k in ("site", "remote", "user", "employee_id")
               if getattr(before, k) != getattr(after, k)]  # fmt: skip
    return fields or ["identity"]


def _rules(
    snaps: list[Snapshot], entry: Entry, policy: Policy, scopes: list[str | None], moment: datetime
) -> list[dict[str, Any]]:
    """Return every rule's verdict per scope, with since when a failing rule has failed."""
    rows = []
    day = moment.date()
    for scope in scopes:
        how = judging(entry, policy, scope, day)
        for check in RULES:
            verdict = judge(check, entry.device, how)
            since = None
            if verdict.status == FAIL:

                def judging_at(d: Device, when: date, s: str | None = scope) -> Any:
                    return judging(Entry(d, entry.source, entry.person, entry.label), policy, s,
                                   when)  # fmt: skip

                since = failing_since(snaps, check, judging_at, moment)
            rows.append(
                {"rule": SHORT[check], "check": check, "client": scope or "(operation)",
                 "status": verdict.status, "failing_since": since, "reason": verdict.reason}
            )  # fmt: skip
    return rows


def show(ws: Workspace, name: str, on: date | None = None) -> list[dict[str, Any]]:
    """Return one document per source that holds a device of this name (or serial) at the time.

    With ``on``, the state recorded by the end of that day (UTC), judged as of that day.
    """
    op = ensure_operation(ws)
    allowed = user_scopes(ws, None)
    moment = datetime.combine(on, time.max, tzinfo=UTC) if on else ws.clock()
    snaps = readers.snapshots(op, name)
    owners = readers.owners(op)
    policy = readers.policy(op)
    docs = []
    for source in sorted({s.source for s in snaps}):
        mine = [s for s in snaps if s.source == source]
        held = state_at(mine, moment)
        if held is None:
            continue
        device = held.device
        entry = Entry(device, source, owners.of(device), device.name)
        scopes = entry_scopes(entry, allowed)
        if not scopes:
            continue
        p = entry.person
        docs.append(
            {
                "device": device.name, "source": source, "serial": device.serial,
                "as_of": moment.isoformat(timespec="seconds"),
                "recorded_from": held.valid_from.isoformat(timespec="seconds"),
                "recorded_to": held.valid_to.isoformat(timespec="seconds") if held.valid_to else "",
                "last_seen": device.last_seen.isoformat(timespec="seconds")
                if device.last_seen else "",
                "employee_id": p.employee_id if p else "", "job_role": p.job_role if p else "",
                "clients": [s or "(operation)" for s in scopes], "site": device.site,
                "location": place(device, policy), "policy": policy.source,
                "posture": {k: v for k, v in asdict(device.posture).items()},
                "origin": device.origin,
                "rules": _rules(mine, entry, policy, scopes, moment),
                "history": _history(mine, moment),
            }
        )  # fmt: skip
    if not docs:
        when = f" on {on}" if on else ""
        raise DatawardError(
            f"no device {name!r} on record{when}", "devices show",
            "see dataward devices list, or give a later --on date",
        )  # fmt: skip
    return docs


def _history(snaps: list[Snapshot], moment: datetime) -> list[dict[str, Any]]:
    """Return the recorded states up to ``moment`` and what changed in each."""
    rows = []
    before: Device | None = None
    for snap in snaps:
        if snap.valid_from > moment:
            break
        rows.append(
            {"recorded_from": snap.valid_from.isoformat(timespec="seconds"),
             "recorded_to": snap.valid_to.isoformat(timespec="seconds") if snap.valid_to else "",
             "changed": _changes(before, snap.device)}
        )  # fmt: skip
        before = snap.device
    return rows
