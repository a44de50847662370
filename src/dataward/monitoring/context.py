"""Gather what the rules' enrichment needs from the workspace: clients, people, sensitive files."""

from __future__ import annotations

import posixpath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dataward.core.clients import ensure_operation
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.monitoring import settings
from dataward.monitoring.engine.enrich import ClientFacts, Enricher, PersonFacts, parse_hours


def enricher(ws: Workspace) -> Enricher:
    """Return an enricher over the workspace's clients, roster, directory and inventory."""
    op = ensure_operation(ws)
    conf = settings.load(ws.paths.root)
    privileged = _privileged_entitlements()
    clients = {
        c.slug: _client(c, privileged.get(c.slug, frozenset())) for c in Client.objects.all()
    }
    paths, names = _sensitive_files()
    return Enricher(
        people=_people(op),
        clients=clients,
        sensitive_paths=paths,
        sensitive_names=names,
        internal_domains=conf.internal_domains,
        operation=op.slug,
    )


def _client(client: Client, privileged: frozenset[str]) -> ClientFacts:
    """Return a client's time zone, hours and privileged accounts."""
    try:
        zone = ZoneInfo(client.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    hours = parse_hours(client.working_hours or "")
    start, end = hours if hours else (None, None)
    return ClientFacts(client.slug, zone, start, end, privileged)


def _people(op: Client) -> dict[str, PersonFacts]:
    """Return every name an account is known by, mapped to its person's facts."""
    from dataward.access.readers import workforce

    people, accounts = workforce(op)
    by_id = {p.employee_id: p for p in people}
    privileged_ids = {a.employee_id for _, a in accounts if a.privileged and a.employee_id}
    out: dict[str, PersonFacts] = {}

    def facts(emp: str) -> PersonFacts | None:
        p = by_id.get(emp)
        if p is None:
            return None
        return PersonFacts(
            p.employee_id,
            frozenset(c.lower() for c in p.clients),
            p.end_date,
            p.status == "terminated",
            emp in privileged_ids,
        )

    for p in people:
        found = facts(p.employee_id)
        if found and p.email:
            out[p.email.lower()] = found
            out.setdefault(p.email.lower().split("@", 1)[0], found)
    for _, account in accounts:
        found = facts(account.employee_id)
        if found is None:
            continue
        for name in account.names():
            out.setdefault(name, found)
    return out


def _privileged_entitlements() -> dict[str, frozenset[str]]:
    """Return, per client, the lower-case accounts holding a privileged entitlement."""
    from dataward.access.models import Entitlement

    rows = (
        Entitlement.objects.unscoped("privileged accounts per client for alert enrichment")
        .filter(privileged=True)
        .values_list("client__slug", "account")
    )
    out: dict[str, set[str]] = {}
    for slug, account in rows:
        out.setdefault(slug, set()).add(account.lower())
    return {k: frozenset(v) for k, v in out.items()}


def _sensitive_files() -> tuple[frozenset[str], frozenset[str]]:
    """Return full paths and file names of files the inventory holds sensitive data in."""
    from dataward.discovery.models import InventoryItem

    rows = (
        InventoryItem.objects.unscoped("which files hold sensitive data, for alert enrichment")
        .filter(location__kind="file", location__present=True)
        .values_list("location__root", "location__path")
        .distinct()
    )
    paths: set[str] = set()
    names: set[str] = set()
    for root, path in rows:
        full = posixpath.join(root.replace("\\", "/"), path.replace("\\", "/")).lower()
        paths.add(full)
        names.add(posixpath.basename(full))
    return frozenset(paths), frozenset(names)
