"""Write a plan's certificate of disposal to a file, atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dataward.core import audit
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.retention.engine.certificate import Entry, to_csv, to_pdf
from dataward.retention.service import items, plan_of


def write(ws: Workspace, ref: str, output: Path, kind: str) -> int:
    """Write the certificate of the plan's disposed items; return how many it lists."""
    plan = plan_of(ws, ref)
    done = [i for i in items(plan) if i.status == "disposed"]
    if not done:
        raise DatawardError(
            f"{plan.ref} has no disposed item yet",
            plan.ref,
            "execute it first: `dataward retention dispose REF --execute`",
        )
    entries = [
        Entry(
            plan.ref,
            i.seq,
            plan.client.slug,
            f"{i.root.rstrip('/')}/{i.rel}",
            i.size,
            i.sha256,
            plan.method,
            i.disposed_at.isoformat() if i.disposed_at else "",
            i.operator,
            plan.approved_by,
            i.outcome,
        )
        for i in done
    ]
    if kind == "csv":
        data = to_csv(entries).encode("utf-8")
    else:
        title = f"Certificate of disposal - {plan.ref} - {plan.client.name}"
        data = to_pdf(entries, title, ws.clock().strftime("%Y-%m-%d %H:%M UTC"))
    folder = output.resolve().parent
    if not folder.is_dir():
        raise DatawardError("the folder does not exist", str(folder), "create it first")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".certificate-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, output)
    audit.record(
        ws,
        "retention.certificate",
        plan.client.slug,
        "disposal_plan",
        plan.ref,
        detail={"file": output.name, "kind": kind, "items": len(entries)},
    )
    return len(entries)
