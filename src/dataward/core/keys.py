"""Rotate the workspace key: new active key, every encrypted field re-encrypted, old keys kept."""

from __future__ import annotations

import fcntl

from django.apps import apps
from django.db import models, transaction

from dataward.core import audit
from dataward.core.engine.crypto import Keyring
from dataward.core.engine.permissions import Action
from dataward.core.engine.workspace import atomic_write
from dataward.core.fields import EncryptedTextField
from dataward.core.models import AuditHead, KeyCheck
from dataward.core.workspace import Workspace
from dataward.errors import KeyringError
from dataward.runtime import state


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Return every model with encrypted fields and those fields' names."""
    found = []
    for model in apps.get_models():
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
        on_disk = Keyring.from_text(ws.paths.key.read_text(), str(ws.paths.key))
        if on_disk != ws.keyring:
            raise KeyringError(
                "the key file changed since this command started (another rotation?)",
                str(ws.paths.key),
                "run the command again",
            )
        return _rotate_locked(ws)


def _rotate_locked(ws: Workspace) -> tuple[str, int]:
    """Re-encrypt and audit in one transaction; the new keyring is written before it commits."""
    old_ring = ws.keyring
    new_ring = old_ring.rotate()
    rows = 0
    try:
        with transaction.atomic():
            AuditHead.objects.select_for_update().filter(id=1).first()  # serialise with writers
            ws.keyring = state.keyring = new_ring
            KeyCheck.objects.create(
                key_id=new_ring.active_id, check_value=new_ring.check_value(new_ring.active_id)
            )
            for model, names in encrypted_fields():
                for obj in model._base_manager.all():
                    obj.save(update_fields=names)
                    rows += 1
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
    except BaseException:
        ws.keyring = state.keyring = old_ring
        raise
    return new_ring.active_id, rows
