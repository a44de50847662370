"""Keep the transfer-channel register and the at-rest register per client; changes audited."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.db import transaction

from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.encryption import endpoints, scopes
from dataward.encryption.engine.at_rest import STATES, AtRestEntry, clean_path
from dataward.encryption.engine.at_rest import read_register as read_at_rest
from dataward.encryption.engine.channel_register import read_register
from dataward.encryption.engine.channels import TLS_ENDPOINT_PROTOCOLS, Channel, judge_channel
from dataward.encryption.engine.endpoints import Endpoint
from dataward.encryption.models import AtRestLocation, TransferChannel
from dataward.errors import DatawardError, ImportFileError

IMPORT_COLUMNS = ["client", "file", "rows", "added", "updated", "unchanged", "removed"]
IMPORT_COLUMNS += ["endpoints_added", "other_clients"]
CHANNEL_COLUMNS = ["client", "channel", "protocol", "host", "port", "transport", "tls_min"]
CHANNEL_COLUMNS += ["approved", "status", "summary"]
LOCATION_IMPORT_COLUMNS = ["client", "file", "rows", "changed", "unchanged", "other_clients"]
LOCATION_COLUMNS = ["client", "path", "at_rest", "method", "note", "set_by", "set_at"]
_FIELDS = (
    "protocol",
    "host",
    "port",
    "url",
    "transport",
    "tls_min_version",
    "direction",
    "purpose",
    "approved",
)


def channel_of(row: TransferChannel) -> Channel:
    """Return the engine record of a stored channel."""
    return Channel(row.ref, **{f: getattr(row, f) for f in _FIELDS})


def _channel_state(row: TransferChannel) -> dict[str, Any]:
    return {"ref": row.ref, **{f: getattr(row, f) for f in _FIELDS}}


def _save_channels(
    ws: Workspace, client: Client, channels: list[Channel], source: str
) -> Counter[str]:
    """Make the client's stored channels equal the file's; return the counts."""
    slug = scopes.slug_of(client)
    counts: Counter[str] = Counter()
    current = {c.ref: c for c in TransferChannel.objects.for_client(client)}
    for channel in channels:
        row = current.pop(channel.ref, None)
        before = _channel_state(row) if row else None
        row = row or TransferChannel(client=client, ref=channel.ref)
        for name, value in asdict(channel).items():
            setattr(row, name, value)
        if before == _channel_state(row):
            counts["unchanged"] += 1
            continue
        row.source, row.imported_at = source, ws.clock()
        row.save()
        action = "channel.add" if before is None else "channel.update"
        audit.record(ws, action, slug, "transfer_channel", row.ref, before, _channel_state(row))
        counts["added" if before is None else "updated"] += 1
    for row in current.values():  # the register file is the whole register
        audit.record(ws, "channel.remove", slug, "transfer_channel", row.ref, _channel_state(row))
        row.delete()
        counts["removed"] += 1
    return counts


def import_channels(
    ws: Workspace, client_slug: str, path: Path, add_endpoints: bool = True
) -> dict[str, Any]:
    """Replace the client's channel register with a file's records for it, all or nothing.

    Records naming another client are left out (and counted); HTTPS channels' hosts become
    in-scope TLS endpoints unless ``add_endpoints`` is False.
    """
    client = scopes.one(ws, client_slug, Action.IMPORT)
    rows = read_register(path)
    mine = [r.channel for r in rows if r.client in ("", client.slug)]
    others = Counter(r.client for r in rows if r.client not in ("", client.slug))
    if not mine:
        hint = "give records a client column naming it, or none at all"
        raise ImportFileError(f"lists no channel for {client.slug}", str(path), hint)
    with transaction.atomic():
        counts = _save_channels(ws, client, mine, path.name)
        added = 0
        for c in mine:
            if add_endpoints and c.protocol in TLS_ENDPOINT_PROTOCOLS and c.host and c.port:
                spec = Endpoint(c.host.lower(), c.port, c.purpose, "https", f"channel {c.ref}")
                added += endpoints.save(ws, client, spec) == "added"
        detail = {"file": path.name, "rows": len(mine), **counts, "endpoints_added": added}
        audit.record(
            ws,
            "channels.import",
            scopes.slug_of(client),
            "channel_register",
            path.name,
            detail=detail,
        )
    return {
        "client": client.slug,
        "file": str(path),
        "rows": len(mine),
        **{k: counts[k] for k in ("added", "updated", "unchanged", "removed")},
        "endpoints_added": added,
        "other_clients": ", ".join(f"{k} {n}" for k, n in sorted(others.items())),
    }


def channel_rows(ws: Workspace, client_slug: str | None) -> list[dict[str, Any]]:
    """Return the channels the user may see, each with its encryption verdict."""
    rows = []
    for client in scopes.many(ws, client_slug, Action.VIEW):
        for c in TransferChannel.objects.for_client(client).order_by("ref"):
            judged = judge_channel(channel_of(c))
            rows.append(
                {
                    "client": client.slug,
                    "channel": c.ref,
                    "protocol": c.protocol,
                    "host": c.host,
                    "port": c.port,
                    "transport": c.transport,
                    "tls_min": c.tls_min_version,
                    "direction": c.direction,
                    "purpose": c.purpose,
                    "approved": c.approved,
                    "status": judged.status,
                    "summary": judged.summary,
                }
            )
    return rows


def _location_state(row: AtRestLocation) -> dict[str, Any]:
    return {"path": row.path, "state": row.state, "method": row.method, "note": row.note}


def _put(ws: Workspace, client: Client, entry: AtRestEntry) -> bool:
    """Add or change one register entry with an audit event; return whether it changed."""
    row = AtRestLocation.objects.for_client(client).filter(path=entry.path).first()
    before = _location_state(row) if row else None
    row = row or AtRestLocation(client=client, path=entry.path)
    row.state, row.method, row.note = entry.state, entry.method.strip(), entry.note.strip()
    if before == _location_state(row):
        return False
    row.set_by, row.set_at = ws.actor.name, ws.clock()
    row.save()
    action = "at_rest.add" if before is None else "at_rest.update"
    slug = scopes.slug_of(client)
    audit.record(ws, action, slug, "at_rest_location", entry.path, before, _location_state(row))
    return True


def set_location(
    ws: Workspace, client_slug: str, path: str, at_rest: str, method: str = "", note: str = ""
) -> bool:
    """Record whether a location prefix is encrypted at rest; return whether it changed."""
    client = scopes.one(ws, client_slug, Action.IMPORT)
    if at_rest not in STATES:
        raise DatawardError(f"no state {at_rest!r}", "--at-rest", f"use {', '.join(STATES)}")
    clean = clean_path(path)
    if not clean:
        raise DatawardError("the path is empty", "PATH", "give a folder, share or URL prefix")
    with transaction.atomic():
        return _put(ws, client, AtRestEntry(clean, at_rest, method, note))


def import_locations(ws: Workspace, client_slug: str, path: Path) -> dict[str, Any]:
    """Add or change the register entries a file lists for the client, all or nothing.

    Rows naming another client are left out (and counted); entries the file does not list
    are kept, as with ``locations set``.
    """
    client = scopes.one(ws, client_slug, Action.IMPORT)
    rows = read_at_rest(path)
    mine = [e for c, e in rows if c in ("", client.slug)]
    others = Counter(c for c, _ in rows if c not in ("", client.slug))
    if not mine:
        hint = "give rows a client column naming it, or none at all"
        raise ImportFileError(f"lists no location for {client.slug}", str(path), hint)
    with transaction.atomic():
        changed = sum(_put(ws, client, e) for e in mine)
        detail = {"file": path.name, "rows": len(mine), "changed": changed}
        audit.record(
            ws,
            "at_rest.import",
            scopes.slug_of(client),
            "at_rest_register",
            path.name,
            detail=detail,
        )
    return {
        "client": client.slug,
        "file": str(path),
        "rows": len(mine),
        "changed": changed,
        "unchanged": len(mine) - changed,
        "other_clients": ", ".join(f"{k} {n}" for k, n in sorted(others.items())),
    }


def location_rows(ws: Workspace, client_slug: str | None) -> list[dict[str, Any]]:
    """Return the at-rest register entries the user may see."""
    rows = []
    for client in scopes.many(ws, client_slug, Action.VIEW):
        for r in AtRestLocation.objects.for_client(client).order_by("path"):
            rows.append(
                {
                    "client": client.slug,
                    "path": r.path,
                    "at_rest": r.state,
                    "method": r.method,
                    "note": r.note,
                    "set_by": r.set_by,
                    "set_at": r.set_at,
                }
            )
    return rows
