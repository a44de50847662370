"""Append events to the hash-chained audit trail, verify it, and list it."""

from __future__ import annotations

import fcntl
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from dataward.core.engine.audit import (
    GENESIS,
    ROTATE_ACTION,
    Anchor,
    AuditRecord,
    VerifyReport,
    link_hash,
    state_digest,
    verify_chain,
)
from dataward.core.engine.crypto import Keyring
from dataward.core.engine.workspace import WorkspacePaths, atomic_write
from dataward.core.models import AuditEvent, AuditHead
from dataward.core.workspace import Workspace
from dataward.errors import KeyringError


def record(
    ws: Workspace,
    action: str,
    client: str | None,
    object_type: str,
    object_id: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event, sealed to the previous one, inside the caller's transaction."""
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(id=1).first()
        if head is None:
            head = AuditHead.objects.create(id=1, seq=0, hash=GENESIS)
        ring = ws.keyring.latest()  # the key file's, if a rotation elsewhere replaced it
        key_id = _sealing_key(ws, ring, head.seq, action, object_id)
        rec = AuditRecord(
            seq=head.seq + 1,
            at=ws.clock().isoformat(timespec="microseconds"),
            actor=ws.actor.name,
            action=action,
            client=client or "",
            object_type=object_type,
            object_id=object_id,
            before=state_digest(before, ring),
            after=state_digest(after, ring),
            detail=dict(detail or {}),
            key_id=key_id,
            prev_hash=head.hash,
        )
        seal = link_hash(rec, ring)
        event = AuditEvent.objects.create(**_fields(rec), hash=seal)
        head.seq, head.hash = rec.seq, seal
        head.save()
        paths = ws.paths
        transaction.on_commit(lambda: write_anchor(paths, Anchor(rec.seq, seal)))
    return event


def _sealing_key(ws: Workspace, ring: Keyring, seq: int, action: str, object_id: str) -> str:
    """Return the key that seals the next event: the one the chain is sealed with now.

    Only a rotation event moves the chain to a new key (the one it names). Every other event
    keeps the key of the event before it, even in a process that started before a rotation: its
    keyring then lacks that key, and the finder re-reads the key file the rotation wrote.
    """
    if action == ROTATE_ACTION:
        return object_id
    last = AuditEvent.objects.filter(seq=seq).values_list("key_id", flat=True).first()
    if not last:
        return ring.active_id
    try:
        ring.get(last)
    except KeyringError as exc:
        from_env = exc.where == "DATAWARD_KEY"
        raise KeyringError(
            f"the audit trail is sealed with key {last}, which this process's keyring does not "
            "hold (the key was rotated elsewhere)",
            "DATAWARD_KEY" if from_env else str(ws.paths.key),
            "restart this process with the new keyring in DATAWARD_KEY"
            if from_env
            else "copy the newest key file here from where the key was rotated",
        ) from None
    return last


def _fields(rec: AuditRecord) -> dict[str, Any]:
    return {
        "seq": rec.seq,
        "at": rec.at,
        "actor": rec.actor,
        "action": rec.action,
        "client": rec.client,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "before": rec.before,
        "after": rec.after,
        "detail": dict(rec.detail),
        "key_id": rec.key_id,
        "prev_hash": rec.prev_hash,
    }


def write_anchor(paths: WorkspacePaths, anchor: Anchor) -> None:
    """Keep the newest sealed link outside the database, to catch rows cut from the end."""
    try:
        _write_anchor_locked(paths, anchor)
    except OSError as exc:  # the change is committed; say so rather than report a failure
        print(
            f"warning: {paths.audit_head}: cannot update the audit anchor ({exc.strerror}); "
            "the change was saved; fix the file so `dataward audit verify` can check the tail",
            file=sys.stderr,
        )


def _write_anchor_locked(paths: WorkspacePaths, anchor: Anchor) -> None:
    lock = paths.audit_head.with_name(f".{paths.audit_head.name}.lock")
    with open(lock, "a") as handle:  # writers in other processes wait, so it never goes back
        fcntl.flock(handle, fcntl.LOCK_EX)
        current = read_anchor(paths)
        if current is None or anchor.seq > current.seq:
            # Not fsynced: after a power cut the anchor may lag, which only weakens the tail check.
            data = f"{anchor.seq} {anchor.hash}\n".encode()
            atomic_write(paths.audit_head, data, durable=False)


def read_anchor(paths: WorkspacePaths) -> Anchor | None:
    """Return the anchor kept in the workspace folder, or None before the first event."""
    try:
        seq, seal = paths.audit_head.read_text().split()
        return Anchor(int(seq), seal)
    except FileNotFoundError:
        return None
    except (ValueError, OSError):
        return Anchor(-1, "")  # unreadable: verify reports it instead of skipping the tail check


def to_record(event: AuditEvent) -> AuditRecord:
    """Turn a stored event into the engine's record."""
    return AuditRecord(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        action=event.action,
        client=event.client,
        object_type=event.object_type,
        object_id=event.object_id,
        before=event.before,
        after=event.after,
        detail=event.detail,
        key_id=event.key_id,
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


def verify(ws: Workspace) -> VerifyReport:
    """Check every link of the chain and the anchor kept outside the database."""
    anchor = read_anchor(ws.paths)
    if anchor is not None and anchor.seq < 0:
        return VerifyReport(0, 0, f"the anchor file {ws.paths.audit_head.name} is unreadable")
    events = (to_record(e) for e in AuditEvent.objects.order_by("seq").iterator())
    return verify_chain(events, ws.keyring, anchor)


def visible_events(ws: Workspace, client: str | None = None) -> QuerySet[AuditEvent]:
    """Return the events the actor may read, for one client or all in their scope.

    Operation events (no client) are only for operation-wide users; raises when the actor
    may not view the audit trail of the client (or of any client in scope).
    """
    from dataward.core.engine.permissions import Action

    scoped = ws.actor.clients is not None and client is None
    for target in sorted(ws.actor.clients or ()) if scoped else [client]:
        ws.require(Action.VIEW_AUDIT, target)
    rows = AuditEvent.objects.order_by("seq")
    if client is not None:
        return rows.filter(client=client)
    if ws.actor.clients is not None:
        return rows.filter(client__in=sorted(ws.actor.clients))
    return rows


def events(
    ws: Workspace, client: str | None = None, limit: int | None = None
) -> Iterator[AuditEvent]:
    """Yield events, newest last, for one client or (with an operation-wide scope) all."""
    rows = visible_events(ws, client)
    if limit is not None:
        total = rows.count()
        rows = rows[max(0, total - limit) :]
    yield from rows.iterator()
