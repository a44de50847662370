"""Import an existing risk register: all rows or none, updating risks imported before."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction

from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.workspace import Workspace
from dataward.risks import store
from dataward.risks.engine.register_import import Draft, read
from dataward.risks.models import Risk
from dataward.risks.service import client_of

FIELDS = (
    "title", "description", "category", "likelihood", "impact", "residual_likelihood",
    "residual_impact", "owner", "treatment", "plan", "due", "status", "accepted_by",
    "acceptance_expires",
)  # fmt: skip


def run(
    ws: Workspace, path: Path, slug: str | None, mapping: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Read the register, then add new risks and update changed ones in one transaction."""
    client = client_of(ws, slug)
    ws.require(Action.IMPORT, None if client.is_operation else client.slug)
    drafts = list(read(path, mapping))  # every row is validated before anything is stored
    added: list[str] = []
    updated: list[str] = []
    unchanged = 0
    slug = None if client.is_operation else client.slug
    with transaction.atomic():
        store.lock_register(client)  # two imports at once must not both add the same id
        known = {
            r.external_ref: r
            for r in Risk.objects.for_client(client).exclude(external_ref="").select_for_update()
        }
        for draft in drafts:
            values = _values(draft)
            risk = known.get(draft.external_ref)
            if risk is None:
                now = ws.clock()
                risk = store.create(
                    client=client,
                    external_ref=draft.external_ref,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
                store.record_event(ws, risk, "imported", {"file": path.name, "row": draft.row})
                added.append(risk.ref)
            elif any(getattr(risk, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(risk, name, value)
                risk.updated_at = ws.clock()
                risk.save()
                store.record_event(ws, risk, "imported", {"file": path.name, "row": draft.row})
                updated.append(risk.ref)
            else:
                unchanged += 1
        # One audit event per import that changed something (bulk work is one action); each risk
        # keeps its own history.
        if added or updated:
            audit.record(
                ws,
                "risk.import",
                slug,
                "risk_register",
                path.name,
                detail={"sha256": _sha256(path), "added": added, "updated": updated},
            )
    return {
        "client": client.slug,
        "file": str(path),
        "rows": len(drafts),
        "added": len(added),
        "updated": len(updated),
        "unchanged": unchanged,
    }


def _sha256(path: Path) -> str:
    """Return the file's SHA-256, so the audit event pins exactly what was imported."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _values(draft: Draft) -> dict[str, Any]:
    """Return the stored fields of a draft."""
    values: dict[str, Any] = {f: getattr(draft, f) for f in FIELDS}
    values["controls"] = sorted(draft.controls)
    return values
