"""Import a client's own frameworks and read them back for checklists."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction

from dataward.controls.engine.custom import CustomFramework, Requirement, parse
from dataward.controls.models import CustomFramework as CustomFrameworkRecord
from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

COLUMNS = ["framework", "title", "requirements", "controls_mapped", "imported_at", "location"]


def import_framework(
    ws: Workspace,
    client: Client,
    path: Path,
    framework_id: str = "",
    title: str = "",
    mapping: Mapping[str, str] | None = None,
) -> CustomFramework:
    """Validate a framework file and store it for the client, replacing one with the same id."""
    from dataward.controls.catalog_service import catalog
    from dataward.controls.engine.catalog import ID_FORMATS

    ws.require(Action.IMPORT, client.slug)
    fw = parse(path, [c.id for c in catalog().controls], framework_id.upper(), title, mapping)
    if fw.id in ID_FORMATS:
        raise DatawardError(f"{fw.id} is a built-in framework", "--id", "choose another id")
    reqs = [{"id": r.id, "title": r.title, "controls": list(r.controls)} for r in fw.requirements]
    with transaction.atomic():
        CustomFrameworkRecord.objects.for_client(client).filter(framework_id=fw.id).delete()
        CustomFrameworkRecord.objects.create(
            client=client,
            framework_id=fw.id,
            title=fw.title,
            requirements=reqs,
            location=str(path),
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            imported_at=ws.clock(),
            imported_by=ws.actor.name,
        )
        audit.record(
            ws,
            "framework.import",
            client.slug,
            "framework",
            fw.id,
            detail={"requirements": len(reqs), "location": str(path)},
        )
    return fw


def custom(client: Client) -> dict[str, CustomFramework]:
    """Return the client's own frameworks by id."""
    out = {}
    for rec in CustomFrameworkRecord.objects.for_client(client).order_by("framework_id"):
        reqs = tuple(
            Requirement(r["id"], r["title"], tuple(r["controls"])) for r in rec.requirements
        )
        out[rec.framework_id] = CustomFramework(rec.framework_id, rec.title, reqs)
    return out


def rows(ws: Workspace, client: Client) -> list[dict[str, Any]]:
    """Return the client's own frameworks for listing."""
    ws.require(Action.VIEW, client.slug)
    recs = CustomFrameworkRecord.objects.for_client(client).order_by("framework_id")
    return [
        {
            "framework": r.framework_id,
            "title": r.title,
            "requirements": len(r.requirements),
            "controls_mapped": len({c for q in r.requirements for c in q["controls"]}),
            "imported_at": r.imported_at,
            "location": r.location,
        }
        for r in recs
    ]
