"""The catalog and checklists as the commands (and later the web pages) show them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any

from dataward.controls.engine.catalog import Catalog, Control, load_catalog
from dataward.controls.engine.checklist import ClientScope, build
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace

STATUS_ORDER = ("fail", "error", "warning", "excepted", "pass", "not_applicable")
CONTROL_COLUMNS = ["control", "area", "title", "evidence", "applies", "mappings"]
CHECKLIST_COLUMNS = [
    "control",
    "area",
    "title",
    "applies_because",
    "evidence",
    "status",
    "failing_checks",
    "owner",
    "due",
    "requirements",
]
DONE = ("pass", "attested (current)", "attested (due soon)", "not_applicable")


@cache
def catalog() -> Catalog:
    """Return the shipped catalog, validated against the registered checks (once per process)."""
    from dataward.controls.store import registry

    return load_catalog(known_checks=registry().checks)


def _evidence(c: Control) -> str:
    parts = list(c.checks)
    if c.attestation:
        parts.append("attestation")
    return ", ".join(parts)


def _applies(c: Control) -> str:
    if c.always:
        return "every client"
    return ", ".join(sorted(c.categories | c.frameworks))


def _mappings(c: Control, only: Iterable[str] = ()) -> str:
    wanted = set(only)
    return "; ".join(
        f"{fw} {', '.join(ids)}" for fw, ids in c.mappings.items() if not wanted or fw in wanted
    )


def control_rows(area: str = "", framework: str = "") -> list[dict[str, Any]]:
    """Return the catalog's controls, optionally one area's or those mapped to one framework."""
    cat = catalog()
    return [
        {
            "control": c.id,
            "area": c.area,
            "title": c.title,
            "evidence": _evidence(c),
            "applies": _applies(c),
            "mappings": _mappings(c, [framework] if framework else []),
        }
        for c in cat.controls
        if (not area or c.area == area) and (not framework or framework in c.mappings)
    ]


def control_doc(ident: str) -> dict[str, Any]:
    """Return one control in full, with the titles of the requirements it maps to."""
    cat = catalog()
    c = cat.control(ident)
    return {
        "id": c.id,
        "area": c.area,
        "title": c.title,
        "statement": c.statement,
        "rationale": c.rationale,
        "checks": list(c.checks),
        "attestation": c.attestation,
        "applies": {"categories": sorted(c.categories), "frameworks": sorted(c.frameworks)},
        "mappings": {
            fw: [{"id": i, "title": cat.frameworks[fw].requirements.get(i, "")} for i in ids]
            for fw, ids in c.mappings.items()
        },
    }


def scope_of(ws: Workspace, client: Client) -> ClientScope:
    """Return the client's declared categories and frameworks and what discovery found."""
    from dataward.controls.view import readers

    found: Counter[str] = Counter()
    reader = readers().get("discovery_inventory")
    if reader is not None:
        inventory = reader(ws, client)
        located = {(row.category, row.location) for row in inventory["rows"]}
        found.update(cat for cat, _ in located)
    return ClientScope(frozenset(client.data_categories), frozenset(client.frameworks), found)


def latest_status(client: Client, as_of: datetime | None = None) -> dict[str, tuple[str, int]]:
    """Return each check's worst status in the client's latest assessment, with failure count.

    Checks that run for the operation as a whole (privileged MFA, the audit chain) come from
    the operation's latest assessment.
    """
    from dataward.core.models import Client as Clients

    merged: dict[str, tuple[str, int]] = {}
    for owner in (*Clients.objects.filter(kind="operation"), client):
        merged.update(_worst(owner, as_of))
    return merged


def _worst(client: Client, as_of: datetime | None = None) -> dict[str, tuple[str, int]]:
    """Return each check's worst status and failure count in one client's latest assessment."""
    from dataward.controls.models import Assessment, CheckResult

    runs = Assessment.objects.for_client(client)
    if as_of is not None:
        runs = runs.filter(started_at__lte=as_of)
    latest = runs.order_by("-started_at", "-id").first()
    if latest is None:
        return {}
    worst: dict[str, tuple[str, int]] = {}
    rows = CheckResult.objects.for_client(client).filter(assessment=latest)
    for check_id, status in rows.values_list("check_id", "status"):
        status_now, fails = worst.get(check_id, ("not_applicable", 0))
        if STATUS_ORDER.index(status) < STATUS_ORDER.index(status_now):
            status_now = status
        worst[check_id] = (status_now, fails + (status == "fail"))
    return worst


def _control_status(
    c: Control, latest: dict[str, tuple[str, int]], attested: str = ""
) -> tuple[str, str]:
    """Return a control's status from its checks' latest results and attestation state."""
    if not c.checks:
        return (f"attested ({attested})" if attested else "attestation needed"), ""
    seen = [latest[i] for i in c.checks if i in latest]
    if not seen:
        return "not assessed", ""
    failing = ", ".join(
        f"{i} ({latest[i][1]})" for i in c.checks if i in latest and latest[i][0] == "fail"
    )
    status = min((s for s, _ in seen), key=STATUS_ORDER.index)
    if status == "pass" and c.attestation and not attested:
        status = "pass (attestation also needed)"
    return status, failing


def checklist_rows(
    ws: Workspace, client: Client, frameworks: Iterable[str] = (), as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """Return the client's checklist: controls in scope, why, evidence and latest status."""
    ws.require(Action.VIEW, client.slug)
    from dataward.controls import attestations, frameworks_service

    own = frameworks_service.custom(client)
    chosen = [f for f in frameworks if f not in own]
    own_chosen = [own[f] for f in frameworks if f in own]
    required: dict[str, str] = {}
    for fw in own_chosen:
        for cid, reqs in fw.by_control().items():
            why = f"required by {fw.id} {', '.join(reqs)}"
            required[cid] = f"{required[cid]}; {why}" if cid in required else why

    latest = latest_status(client, as_of)
    today = ws.clock().date()
    attested = {
        cid: attestations.state(a.expires, today) for cid, a in attestations.latest(client).items()
    }
    assigned = assignments(client)
    rows = []
    for entry in build(catalog(), scope_of(ws, client), chosen, required):
        c = entry.control
        state = attested.get(c.id, "")
        status, failing = _control_status(c, latest, "" if state == "expired" else state)
        if state == "expired":
            status = "attestation expired" if not c.checks else f"{status} (attestation expired)"
        owner, due = assigned.get(c.id, ("", None))
        if due is not None and due < today and status not in DONE:
            status = f"{status} (overdue)"
        rows.append(
            {
                "owner": owner,
                "due": due,
                "control": c.id,
                "area": c.area,
                "title": c.title,
                "applies_because": entry.reason,
                "evidence": _evidence(c),
                "status": status,
                "failing_checks": failing,
                "requirements": "; ".join(
                    filter(
                        None,
                        [
                            _mappings(c, chosen or client.frameworks),
                            _own(c, own_chosen or own.values()),
                        ],
                    )
                ),
            }
        )
    return rows


def markdown(rows: list[dict[str, Any]], columns: list[str], title: str) -> str:
    """Render rows as a Markdown table under a heading."""

    def cell(value: Any) -> str:
        return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")

    lines = [f"# {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def assignments(client: Client) -> dict[str, tuple[str, date | None]]:
    """Return each control's owner and due date for the client."""
    from dataward.controls.models import ControlAssignment

    rows = ControlAssignment.objects.for_client(client).values_list("control_id", "owner", "due")
    return {cid: (owner, due) for cid, owner, due in rows}


def assign(ws: Workspace, client: Client, controls: list[str], owner: str, due: date | None) -> int:
    """Give controls an owner and a due date for the client (audited); return how many."""
    from django.db import transaction

    from dataward.controls.models import ControlAssignment
    from dataward.core import audit
    from dataward.errors import DatawardError

    ws.require(Action.APPROVE, client.slug)
    if not owner.strip():
        raise DatawardError("an owner is needed", "--owner", "name who is accountable")
    ids = [catalog().control(c).id for c in controls]
    with transaction.atomic():
        for cid in ids:
            ControlAssignment.objects.for_client(client).update_or_create(
                client=client,
                control_id=cid,
                defaults={
                    "owner": owner,
                    "due": due,
                    "assigned_by": ws.actor.name,
                    "assigned_at": ws.clock(),
                },
            )
            after = {"owner": owner, "due": str(due or "")}
            audit.record(ws, "control.assign", client.slug, "control", cid, after=after)
    return len(ids)


def _own(c: Control, frameworks: Iterable[Any]) -> str:
    """Return the client's own requirement ids the control satisfies, per framework."""
    parts = []
    for fw in frameworks:
        ids = fw.by_control().get(c.id)
        if ids:
            parts.append(f"{fw.id} {', '.join(ids)}")
    return "; ".join(parts)
