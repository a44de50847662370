"""Rotate the workspace key: new active key, every encrypted field re-encrypted, old keys kept.

Services may keep running during a rotation: their keyrings re-read the key file when they meet
the new key (see ``workspace._KeySource``), and audit events stay sealed with the chain's key.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from django.apps import apps
from django.db import OperationalError, models, transaction

from dataward.core import audit
from dataward.core.engine.crypto import Keyring
from dataward.core.engine.permissions import Action
from dataward.core.engine.workspace import atomic_write
from dataward.core.fields import EncryptedTextField
from dataward.core.models import AuditEvent, AuditHead, KeyCheck
from dataward.core.workspace import Workspace, reload_keyring
from dataward.errors import DatawardError, KeyringError
from dataward.runtime import state

#: Rows re-encrypted per query; their primary keys are read first, the rows a batch at a time.
BATCH = 500
#: Times a rotation chosen as a PostgreSQL deadlock victim is run again from the start.
ATTEMPTS = 3
DEADLOCK = "40P01"


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Return every model with encrypted fields and those fields' names, in a fixed order."""
    found = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        names = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def rotate(ws: Workspace, from_env: bool) -> tuple[str, int]:
    """Make a new key active and re-encrypt every encrypted field; return (key id, rows)."""
    ws.require(Action.MANAGE_KEYS, None)
    if from_env:
        raise KeyringError(
            "the key comes from DATAWARD_KEY, which dataward cannot rewrite",
            "DATAWARD_KEY",
            "unset it to rotate the key file, or store a new keyring in your secret manager",
        )
    lock = ws.paths.key.with_name(f".{ws.paths.key.name}.lock")
    with open(lock, "a") as handle:  # one rotation at a time, across processes
        fcntl.flock(handle, fcntl.LOCK_EX)
        _remove_leftovers(ws.paths.key)
        on_disk = Keyring.from_text(ws.paths.key.read_text(), str(ws.paths.key))
        if on_disk != ws.keyring:
            raise KeyringError(
                "the key file changed since this command started (another rotation?)",
                str(ws.paths.key),
                "run the command again",
            )
        _require_chain_key(ws)
        return _rotate_locked(ws)


def _remove_leftovers(key: Path) -> None:
    """Delete temporary key files a rotation killed while writing left behind (they hold keys)."""
    for leftover in key.parent.glob(f".{key.name}.*.tmp"):
        leftover.unlink(missing_ok=True)


def _require_chain_key(ws: Workspace) -> None:
    """Refuse when the audit trail is sealed with a key this key file lacks (rotated elsewhere)."""
    last = AuditEvent.objects.order_by("-seq").values_list("key_id", flat=True).first()
    if last and not ws.keyring.holds(last):
        raise KeyringError(
            f"the audit trail is sealed with key {last}, which this key file does not hold "
            "(the key was rotated on another machine)",
            str(ws.paths.key),
            "copy the newest key file here from that machine, then rotate again if still needed",
        )


def _rotate_locked(ws: Workspace) -> tuple[str, int]:
    """Re-encrypt and audit in one transaction, run again if PostgreSQL breaks a deadlock."""
    old_ring = ws.keyring
    new_ring = old_ring.rotate().with_finder(None)  # this process writes the newest file
    attempts = 1 if transaction.get_connection().in_atomic_block else ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            rows = _rotate_once(ws, old_ring, new_ring)
        except OperationalError as exc:
            ws.keyring = state.keyring = old_ring
            if getattr(exc.__cause__, "sqlstate", None) != DEADLOCK:
                raise
            if attempt == attempts:
                raise DatawardError(
                    f"the rotation met a deadlock with other writers {attempts} times; "
                    "nothing was changed",
                    "database",
                    "run dataward keys rotate again",
                ) from None
        except BaseException:
            ws.keyring = state.keyring = old_ring
            raise
        else:
            ws.keyring = old_ring
            reload_keyring(ws)  # the committed file, with the finder of the process
            return new_ring.active_id, rows
    raise AssertionError("unreachable")  # pragma: no cover


def _rotate_once(ws: Workspace, old_ring: Keyring, new_ring: Keyring) -> int:
    """Re-encrypt the rows, then seal the rotation; the new keyring is written before commit.

    Rows are locked in primary-key order before the audit head, as other writers save their
    rows before they append their audit event: taking the head first would wait on a writer that
    holds a row while it waits on the head (a deadlock on PostgreSQL).
    """
    rows = 0
    with transaction.atomic():
        ws.keyring = state.keyring = new_ring
        KeyCheck.objects.create(
            key_id=new_ring.active_id, check_value=new_ring.check_value(new_ring.active_id)
        )
        for model, names in encrypted_fields():
            rows += _reencrypt(model, names)
        AuditHead.objects.select_for_update().filter(id=1).first()  # serialise with writers
        _require_chain_key(ws)  # again, now that no event can be appended meanwhile
        audit.record(
            ws,
            "keys.rotate",
            None,
            "keyring",
            new_ring.active_id,
            detail={"previous": old_ring.active_id, "rows_reencrypted": rows},
        )
        # Old keys stay in the file, so data stays readable if the commit then fails.
        atomic_write(ws.paths.key, new_ring.to_json().encode(), mode=0o600)
    return rows


def _reencrypt(model: type[models.Model], names: list[str]) -> int:
    """Save every row's encrypted fields under the active key, in primary-key order."""
    manager = model._base_manager
    pks = list(manager.order_by("pk").values_list("pk", flat=True))
    rows = 0
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        for obj in manager.select_for_update().filter(pk__in=batch).order_by("pk"):
            obj.save(update_fields=names)
            rows += 1
    return rows
