"""Keep each client's in-scope TLS endpoints: add, import, remove, list; every change audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery

from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.encryption import scopes
from dataward.encryption.engine.endpoints import Endpoint, parse_target, read_endpoints
from dataward.encryption.models import TlsEndpoint, TlsScan
from dataward.errors import DatawardError

LIST_COLUMNS = ["client", "endpoint", "protocol", "purpose", "source", "last_checked", "verdict"]


def state(e: TlsEndpoint) -> dict[str, Any]:
    """Return what the audit trail digests of an endpoint."""
    return {
        "host": e.host,
        "port": e.port,
        "purpose": e.purpose,
        "protocol": e.protocol,
        "source": e.source,
        "ca_file": e.ca_file,
    }


def label(e: TlsEndpoint) -> str:
    """Return HOST:PORT."""
    return Endpoint(e.host, e.port).label


def save(ws: Workspace, client: Client, spec: Endpoint, ca_file: str = "") -> str:
    """Add an endpoint or update its details; return added, updated or unchanged."""
    slug = scopes.slug_of(client)
    found = TlsEndpoint.objects.for_client(client).filter(host=spec.host, port=spec.port).first()
    if found is None:
        found = TlsEndpoint(
            client=client,
            host=spec.host,
            port=spec.port,
            added_by=ws.actor.name,
            added_at=ws.clock(),
        )
        before = None
    else:
        before = state(found)
    found.purpose = spec.purpose or found.purpose
    found.protocol = spec.protocol
    found.source = found.source or spec.source
    found.ca_file = ca_file or found.ca_file
    if before == state(found):
        return "unchanged"
    found.save()
    action = "tls.endpoint.add" if before is None else "tls.endpoint.update"
    audit.record(ws, action, slug, "tls_endpoint", label(found), before, state(found))
    return "added" if before is None else "updated"


def add(ws: Workspace, client_slug: str, spec: Endpoint, ca_file: Path | None) -> str:
    """Put one endpoint in the client's scope (or update it)."""
    client = scopes.one(ws, client_slug, Action.IMPORT)
    if ca_file is not None and not ca_file.is_file():
        raise DatawardError("CA file not found", str(ca_file), "give a PEM file of CA certificates")
    with transaction.atomic():
        return save(ws, client, spec, str(ca_file.resolve()) if ca_file else "")


def import_file(ws: Workspace, client_slug: str, path: Path) -> dict[str, Any]:
    """Add or update every endpoint of a CSV/XLSX list, all or nothing; return the counts."""
    client = scopes.one(ws, client_slug, Action.IMPORT)
    specs = read_endpoints(path)
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for spec in specs:
            counts[save(ws, client, spec)] += 1
        detail = {"file": path.name, "rows": len(specs), **counts}
        audit.record(
            ws,
            "tls.endpoints.import",
            scopes.slug_of(client),
            "tls_endpoints",
            path.name,
            detail=detail,
        )
    return {"client": client.slug, "file": str(path), "rows": len(specs), **counts}


def remove(ws: Workspace, client_slug: str, target: str) -> None:
    """Take an endpoint out of scope; its check history stays."""
    client = scopes.one(ws, client_slug, Action.IMPORT)
    host, port = parse_target(target)
    with transaction.atomic():
        found = TlsEndpoint.objects.for_client(client).filter(host=host, port=port).first()
        if found is None:
            hint = f"see dataward tls endpoints list --client {client.slug}"
            raise DatawardError(f"{target} is not in scope", "tls endpoints remove", hint)
        before = state(found)
        found.delete()
        audit.record(
            ws, "tls.endpoint.remove", scopes.slug_of(client), "tls_endpoint", target, before
        )


def latest_scans(client: Client) -> dict[tuple[str, int], TlsScan]:
    """Return the newest check of each host and port the client has results for."""
    scans = TlsScan.objects.for_client(client)
    newest = (
        scans.filter(host=OuterRef("host"), port=OuterRef("port"))
        .order_by("-checked_at", "-id")
        .values("id")[:1]
    )
    return {(s.host, s.port): s for s in scans.filter(id=Subquery(newest))}


def list_rows(ws: Workspace, client_slug: str | None) -> list[dict[str, Any]]:
    """Return the in-scope endpoints the user may see, with their latest verdict."""
    rows = []
    for client in scopes.many(ws, client_slug, Action.VIEW):
        latest = latest_scans(client)
        endpoints = TlsEndpoint.objects.for_client(client).order_by("host", "port")
        for e in endpoints:
            scan = latest.get((e.host, e.port))
            rows.append(
                {
                    "client": client.slug,
                    "endpoint": label(e),
                    "protocol": e.protocol,
                    "purpose": e.purpose,
                    "source": e.source,
                    "ca_file": e.ca_file,
                    "last_checked": scan.checked_at if scan else None,
                    "verdict": scan.verdict if scan else "never checked",
                }
            )
    return rows
