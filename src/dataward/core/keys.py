"""Rotate the workspace key: new active key, every encrypted field re-encrypted, old keys kept."""

from __future__ import annotations

from django.apps import apps
from django.db import models, transaction

from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.engine.workspace import atomic_write
from dataward.core.fields import EncryptedTextField
from dataward.core.models import KeyCheck
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
    old_id = ws.keyring.active_id
    new_ring = ws.keyring.rotate()
    atomic_write(ws.paths.key, new_ring.to_json().encode(), mode=0o600)
    ws.keyring = new_ring
    state.keyring = new_ring
    rows = 0
    with transaction.atomic():
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
            detail={"previous": old_id, "rows_reencrypted": rows},
        )
    return new_ring.active_id, rows
