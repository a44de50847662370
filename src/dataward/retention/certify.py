"""Write a plan's certificate of disposal to a file, atomically."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC
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
            i.path,
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
        issued = ws.clock().astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        data = to_pdf(entries, title, issued)
    _write_atomically(output, data)
    audit.record(
        ws,
        "retention.certificate",
        plan.client.slug,
        "disposal_plan",
        plan.ref,
        detail={"file": output.name, "kind": kind, "items": len(entries)},
    )
    return len(entries)


def _write_atomically(output: Path, data: bytes) -> None:
    """Write the file whole or not at all: a temporary file beside it, flushed, then renamed."""
    folder = output.absolute().parent
    if not folder.is_dir():
        raise DatawardError("the folder does not exist", str(folder), "create it first")
    if output.is_dir():
        raise DatawardError("is a folder", str(output), "name a file, e.g. cert.pdf")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".certificate-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DatawardError(
            f"cannot write the certificate ({exc.strerror})", str(output), "check the path"
        ) from None
