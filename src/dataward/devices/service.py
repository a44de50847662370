"""What the devices commands (and later the web pages) call: imports, policy, listings, duties."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dataward.core.clients import ensure_operation, get, visible
from dataward.core.engine.memory import paused_gc
from dataward.core.engine.obligations import Obligation
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.devices import readers, store
from dataward.devices.engine.judge import Entry, judging, place
from dataward.devices.engine.policy import Policy
from dataward.devices.engine.rules import FAIL, RULES, UNKNOWN, Verdict, judge
from dataward.devices.engine.types import ON_SITE, REMOTE, UNKNOWN_PLACE, DeviceImport
from dataward.errors import DatawardError

KINDS = ("intune", "jamf", "mdm-csv", "osquery", "collector")
IMPORT_COLUMNS = [
    "kind", "source", "devices", "added", "changed", "removed", "refreshed", "unchanged",
]  # fmt: skip
LIST_COLUMNS = [
    "device", "source", "employee_id", "job_role", "clients", "site", "location", "os",
    "last_seen", "failing", "unknown",
]  # fmt: skip
POLICY_COLUMNS = ["rule", "check", "setting"]
#: A short name per rule, for listings.
SHORT = {
    "devices_os_supported_and_patched": "os", "devices_disks_encrypted": "encryption",
    "devices_no_local_admin_for_agents": "local_admin",
    "devices_security_agent_healthy": "security_agent", "devices_firewall_enabled": "firewall",
    "devices_screen_lock_configured": "screen_lock", "devices_usb_storage_blocked": "usb_storage",
    "devices_only_approved_software": "software",
}  # fmt: skip
_SOURCE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._:-")


def _reader(kind: str) -> Callable[[Path, Mapping[str, str] | None], DeviceImport]:
    """Return the connector of an import kind."""
    if kind == "intune":
        from dataward.devices.engine.connectors.intune import read_intune

        return read_intune
    if kind == "jamf":
        from dataward.devices.engine.connectors.jamf import read_jamf

        return read_jamf
    if kind == "mdm-csv":
        from dataward.devices.engine.connectors.mdm_csv import read_mdm_csv

        return read_mdm_csv
    if kind == "osquery":
        from dataward.devices.engine.connectors.osquery import read_osquery

        return read_osquery
    from dataward.devices.engine.connectors.collector import read_collector

    return read_collector


def run_import(
    ws: Workspace,
    kind: str,
    path: Path,
    source: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Read an export with its connector and replace the source's devices; return the summary."""
    if kind not in KINDS:
        raise DatawardError(f"no import kind {kind!r}", "devices import", f"use {', '.join(KINDS)}")
    name = (source or kind).strip().lower()
    if not name or len(name) > 100 or not set(name) <= _SOURCE_CHARS:
        raise DatawardError(
            "is not a source name", "--source", "use letters, digits and . _ : - (up to 100)"
        )
    ws.require(Action.IMPORT, None)
    result = _reader(kind)(path, mapping)
    row = store.import_devices(ws, result, name, str(path), store.digest(path))
    return {**row, "notes": list(result.notes)}


def load_policy(ws: Workspace, path: Path) -> dict[str, Any]:
    """Validate a device policy file and make it the one in force."""
    from dataward.devices.engine.policy import load_policy as load

    ws.require(Action.IMPORT, None)
    slugs = set(Client.objects.filter(kind="client").values_list("slug", flat=True))
    return store.save_policy(ws, load(path, slugs), str(path), store.digest(path))


def user_scopes(ws: Workspace, slug: str | None) -> list[str | None]:
    """Return the scopes the acting user looks at: one client, or every one they may see."""
    if slug:
        client = get(ws, slug)
        return [None if client.is_operation else client.slug]
    out: list[str | None] = [c.slug for c in visible(ws)]
    if may(ws.actor, Action.VIEW, None):
        out.append(None)
    return out


def entry_scopes(entry: Entry, allowed: list[str | None]) -> list[str | None]:
    """Return the scopes an entry belongs to that the user may see."""
    mine: list[str | None] = (
        list(entry.person.clients) if entry.person and entry.person.clients else [None]
    )
    return [s for s in mine if s in allowed]


def policy_rows(ws: Workspace, slug: str | None) -> tuple[list[dict[str, Any]], str]:
    """Return the rules in force for a client (or the operation), and where the policy came from."""
    scope = user_scopes(ws, slug)[0] if slug else None
    if not slug:
        ws.require(Action.VIEW, None)
    rules = readers.policy(ensure_operation(ws)).rules(scope, "")
    settings = {
        "devices_os_supported_and_patched": (
            "off" if not rules.os else f"minimum {rules.minimum or 'any OS'}; patched within "
            f"{rules.patch_within_days or '(any)'} days"
        ),
        "devices_disks_encrypted": "required" if rules.disk_encryption else "off",
        "devices_no_local_admin_for_agents": "off" if rules.agent_roles is None else (
            f"roles {', '.join(rules.agent_roles)}; "
            f"allowed {', '.join(rules.allowed_admins) or '-'}"
        ),
        "devices_security_agent_healthy": "off" if rules.agent_names is None else (
            f"{', '.join(rules.agent_names) or 'any agent'}; signatures within "
            f"{rules.signatures_within_days or '(any)'} days"
        ),
        "devices_firewall_enabled": "required" if rules.firewall else "off",
        "devices_screen_lock_configured": "off" if rules.lock_within_minutes is None
        else f"within {rules.lock_within_minutes} minutes",
        "devices_usb_storage_blocked": "blocked" if rules.usb_storage else "off",
        "devices_only_approved_software": "off (no approved list)" if rules.approved is None
        else "; ".join(f"{k}: {len(v)} patterns" for k, v in rules.approved.items()),
    }  # fmt: skip
    rows = [{"rule": SHORT[c], "check": c, "setting": s} for c, s in settings.items()]
    p = readers.policy(ensure_operation(ws))
    note = (
        f"policy: {p.source}; remote sites: {', '.join(p.remote_sites) or '-'}; site sections: "
        f"{', '.join(p.sites) or '-'}; stale after {rules.check_in_within_days or '(never)'} days"
    )
    return rows, note


def _verdicts(entry: Entry, policy: Policy, scope: str | None, today: date) -> dict[str, Verdict]:
    """Return every rule's verdict on one entry for one scope."""
    how = judging(entry, policy, scope, today)
    return {check: judge(check, entry.device, how) for check in RULES}


def list_rows(
    ws: Workspace, slug: str | None, failing: bool = False, remote: bool = False
) -> list[dict[str, Any]]:
    """Return the current devices the user may see, with the rules each fails or cannot tell."""
    allowed = user_scopes(ws, slug)
    items, policy, _ = readers.linked(ensure_operation(ws))
    with paused_gc():  # thousands of verdicts over a large heap: collect once, after
        return _list(items, policy, allowed, ws.clock().date(), failing, remote)


def _list(
    items: tuple[Entry, ...],
    policy: Policy,
    allowed: list[str | None],
    today: date,
    failing: bool,
    remote: bool,
) -> list[dict[str, Any]]:
    """Return the listing rows of the entries in the allowed scopes."""
    rows = []
    for entry in items:
        scopes = entry_scopes(entry, allowed)
        if not scopes:
            continue
        where = place(entry.device, policy)
        if remote and where != REMOTE:
            continue
        verdicts = [_verdicts(entry, policy, s, today) for s in scopes]
        fails = sorted({SHORT[c] for v in verdicts for c, x in v.items() if x.status == FAIL})
        unknown = sorted({SHORT[c] for v in verdicts for c, x in v.items() if x.status == UNKNOWN})
        if failing and not fails:
            continue
        d, p = entry.device, entry.person
        rows.append(
            {
                "device": entry.label, "source": entry.source,
                "employee_id": p.employee_id if p else "", "job_role": p.job_role if p else "",
                "clients": [s or "(none)" for s in scopes], "site": d.site, "location": where,
                "os": f"{d.posture.os_name or ''} {d.posture.os_version or ''}".strip(),
                "last_seen": d.last_seen.isoformat(timespec="seconds") if d.last_seen else "",
                "failing": fails, "unknown": unknown,
            }
        )  # fmt: skip
    return rows


def imported(ws: Workspace) -> bool:
    """Return whether any device import ran."""
    from dataward.devices.models import DeviceImport as Run

    return Run.objects.for_client(ensure_operation(ws)).exists()


def obligations(ws: Workspace, today: date) -> list[Obligation]:
    """Return each linked device's check-in deadline, owed by the person's manager (or them).

    A device must check in within the policy's check_in_within_days; after that its posture is
    stale. Devices of leavers and devices linked to no one are left to the checks.
    """
    items, policy, _ = readers.linked(ensure_operation(ws))
    if not any(e.person for e in items):
        return []
    from dataward.access.readers import people as roster

    email = {p.employee_id.lower(): p.email for p in roster(ensure_operation(ws))}
    out = []
    for entry in items:
        p, d = entry.person, entry.device
        if p is None or p.status == "terminated" or d.last_seen is None:
            continue
        # a person may serve several clients: the duty goes under the first the user may view
        wanted: list[str | None] = [*sorted(p.clients)] if p.clients else [None]
        scopes = [c for c in wanted if may(ws.actor, Action.VIEW, c)]
        if not scopes:
            continue
        client = scopes[0]
        window = policy.rules(client, d.site).check_in_within_days
        if window is None:
            continue
        owner = email.get(p.manager_id.lower(), "") if p.manager_id else ""
        out.append(
            Obligation(
                kind="device check-in", ref=entry.label,
                title=f"{entry.label} ({p.employee_id}) to check in with {entry.source} "
                f"(last {d.last_seen.date()})",
                owner=owner or p.email or p.employee_id,
                due=d.last_seen.date() + timedelta(days=window), client=client,
            )
        )  # fmt: skip
    return out


_LISTING: dict[Any, Any] = {}
_LISTING_KEEP = 4  # scopes kept: each holds every row of its devices (~1 KB a device)


def listing(ws: Workspace, slug: str | None) -> list[dict[str, Any]]:
    """Return list_rows (every current device in scope) with each row's recorded state ``id``.

    For the web pages: judging 50,000 devices takes seconds, so the rows are kept per scope and
    day until readers.linked reads a new snapshot (an import, a roster or policy change).
    Filter the result for failing or remote devices; do not change it.
    """
    op = ensure_operation(ws)
    allowed = user_scopes(ws, slug)
    items, policy, _ = readers.linked(op)
    if _LISTING.get("items") is not items:
        _LISTING.clear()
        _LISTING.update(items=items, ids=_state_ids(op, items))
    key = (tuple(allowed), ws.clock().date())
    if key not in _LISTING:
        if len(_LISTING) >= _LISTING_KEEP + 2:
            _LISTING.pop(next(k for k in list(_LISTING) if k not in ("items", "ids")), None)
        with paused_gc():
            rows = _list(items, policy, allowed, key[1], failing=False, remote=False)
        ids = _LISTING["ids"]
        _LISTING[key] = [{**r, "id": ids.get((r["source"], r["device"]))} for r in rows]
    return list(_LISTING[key])


def _state_ids(op: Client, items: tuple[Entry, ...]) -> dict[tuple[str, str], int]:
    """Return the current recorded state's id of each entry, by (source, label)."""
    from dataward.devices.models import DeviceState

    current = DeviceState.objects.for_client(op).filter(valid_to__isnull=True)
    ids = {(src, key): pk for pk, src, key in current.values_list("id", "source", "key")}
    return {(e.source, e.label): ids[(e.source, e.device.key)] for e in items
            if (e.source, e.device.key) in ids}  # fmt: skip


def state_doc(ws: Workspace, ident: int, on: date | None = None) -> dict[str, Any]:
    """Return what `devices show` says about the device of one recorded state, in its source."""
    from dataward.devices.models import DeviceState
    from dataward.devices.show import show

    states = DeviceState.objects.for_client(ensure_operation(ws)).filter(id=ident)
    found = states.values_list("name", "source").first()
    if found is not None:
        for doc in show(ws, found[0], on):
            if doc["source"] == found[1]:
                return doc
    raise DatawardError(f"no device state {ident}", "devices", "see the device list")


def pick(rows: list[dict[str, Any]], state: str = "", rule: str = "", where: str = "") -> list[Any]:
    """Keep listing rows failing (or unknown on, or passing) every rule, failing one, or at a place.

    ``state`` is failing, unknown or passing; ``rule`` a short rule name (SHORT); ``where`` remote,
    on site or unknown. An empty or unknown value keeps every row.
    """
    keep = {
        "failing": lambda r: bool(r["failing"]),
        "unknown": lambda r: bool(r["unknown"]),
        "passing": lambda r: not r["failing"] and not r["unknown"],
    }.get(state)
    if keep is not None:
        rows = [r for r in rows if keep(r)]
    if rule in SHORT.values():
        rows = [r for r in rows if rule in r["failing"]]
    if where in (REMOTE, ON_SITE, UNKNOWN_PLACE):
        rows = [r for r in rows if r["location"] == where]
    return rows
