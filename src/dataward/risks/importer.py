"""Import an existing risk register: all rows or none, updating risks imported before."""

from __future__ import annotations

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
    added = updated = unchanged = 0
    with transaction.atomic():
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
                audit.record(ws, "risk.import", slug, "risk", risk.ref, after=store.state(risk))
                added += 1
            elif any(getattr(risk, k) != v for k, v in values.items()):
                store.change(ws, risk, "imported", f"{path.name} row {draft.row}", **values)
                updated += 1
            else:
                unchanged += 1
    return {
        "client": client.slug,
        "file": str(path),
        "rows": len(drafts),
        "added": added,
        "updated": updated,
        "unchanged": unchanged,
    }


def _values(draft: Draft) -> dict[str, Any]:
    """Return the stored fields of a draft."""
    values: dict[str, Any] = {f: getattr(draft, f) for f in FIELDS}
    values["controls"] = sorted(draft.controls)
    return values
