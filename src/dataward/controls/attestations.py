"""Manual attestations: who says a control is in place, the evidence files, and until when.

Evidence files are copied into the workspace's ``evidence/`` folder under their SHA-256 (so the
same file is kept once and any change is visible), and an attestation comes due again when it
expires.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from dataward.controls.models import Attestation
from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.engine.workspace import atomic_write
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

DEFAULT_DAYS = 365
DUE_SOON_DAYS = 30
MAX_FILE = 50 * 1024 * 1024
COLUMNS = ["control", "attester", "attested_at", "expires", "state", "files", "statement"]


def evidence_dir(ws: Workspace) -> Path:
    """Return the workspace folder holding evidence files by hash."""
    return ws.paths.root / "evidence"


def store_evidence(ws: Workspace, path: Path) -> dict[str, Any]:
    """Copy one evidence file into the workspace under its hash; return its record."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise DatawardError(
                f"is larger than {MAX_FILE // 2**20} MB", str(path), "attach a smaller file"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DatawardError(f"cannot read ({exc.strerror})", str(path), "check the path") from None
    digest = hashlib.sha256(data).hexdigest()
    folder = evidence_dir(ws)
    folder.mkdir(mode=0o700, exist_ok=True)
    target = folder / digest
    if not target.exists():
        atomic_write(target, data, mode=0o600)
    return {"name": path.name, "sha256": digest, "size": len(data)}


def add(
    ws: Workspace,
    client: Client,
    control_id: str,
    statement: str,
    files: list[Path],
    expires: date | None = None,
) -> Attestation:
    """Record an attestation for one of the catalog's controls, with its evidence files."""
    from dataward.controls.catalog_service import catalog

    ws.require(Action.APPROVE, None if client.is_operation else client.slug)
    control = catalog().control(control_id)
    if not control.attestation:
        raise DatawardError(
            f"{control.id} is evidenced by checks only", "attest", "run dataward assess instead"
        )
    if not statement.strip():
        raise DatawardError(
            "an attestation needs a statement", "--statement", "say what is in place"
        )
    today = ws.clock().date()
    until = expires or today + timedelta(days=DEFAULT_DAYS)
    if until <= today:
        raise DatawardError(
            f"expires {until}, which is not after today", "--expires", "give a later date"
        )
    stored = [store_evidence(ws, f) for f in files]
    with transaction.atomic():
        record = Attestation.objects.create(
            client=client,
            control_id=control.id,
            attester=ws.actor.name,
            statement=statement,
            files=stored,
            attested_at=ws.clock(),
            expires=until,
        )
        after = {
            "control": control.id,
            "expires": str(until),
            "files": [f["sha256"] for f in stored],
        }
        slug = None if client.is_operation else client.slug
        audit.record(ws, "control.attest", slug, "attestation", str(record.pk), after=after)
    return record


def state(expires: date, today: date) -> str:
    """Return current, due soon or expired."""
    if expires < today:
        return "expired"
    return "due soon" if (expires - today).days <= DUE_SOON_DAYS else "current"


def latest(client: Client) -> dict[str, Attestation]:
    """Return the newest attestation per control for the client."""
    out: dict[str, Attestation] = {}
    for a in Attestation.objects.for_client(client).order_by("attested_at", "id"):
        out[a.control_id] = a
    return out


def rows(ws: Workspace, client: Client, due: bool = False) -> list[dict[str, Any]]:
    """Return the newest attestation per control (only those expired or due soon with ``due``)."""
    ws.require(Action.VIEW, None if client.is_operation else client.slug)
    today = ws.clock().date()
    out = []
    for a in latest(client).values():
        st = state(a.expires, today)
        if due and st == "current":
            continue
        out.append(
            {
                "control": a.control_id,
                "attester": a.attester,
                "attested_at": a.attested_at,
                "expires": a.expires,
                "state": st,
                "statement": a.statement,
                "files": ", ".join(f"{f['name']} ({f['sha256'][:12]})" for f in a.files),
            }
        )
    return out


MAX_UPLOADS = 20
MAX_NAME_BYTES = 200  # file systems allow 255 bytes per name; CJK takes 3 bytes a character


def history(ws: Workspace, client: Client, control_id: str) -> list[Attestation]:
    """Return every attestation of one control for the client, newest first."""
    ws.require(Action.VIEW, None if client.is_operation else client.slug)
    rows = Attestation.objects.for_client(client).filter(control_id=control_id.upper())
    return list(rows.order_by("-attested_at", "-id"))


def upload_name(name: str | None) -> str:
    """Return an uploaded file's own name, without folders or control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    stem, dot, ext = clean.rpartition(".")
    if not dot or len(ext.encode()) > 16:
        stem, dot, ext = clean, "", ""
    room = MAX_NAME_BYTES - len(dot.encode()) - len(ext.encode())
    short = stem.encode()[:room].decode(errors="ignore").strip()  # cut by bytes, keep the type
    return (short + dot + ext if short else "") or "evidence"


def add_uploaded(
    ws: Workspace,
    client: Client,
    control_id: str,
    statement: str,
    uploads: Sequence[UploadedFile[bytes]],
    expires: date | None = None,
) -> Attestation:
    """Record an attestation whose evidence files were uploaded (web or API), as `add` does."""
    ws.require(Action.APPROVE, None if client.is_operation else client.slug)
    if len(uploads) > MAX_UPLOADS:
        raise DatawardError(
            f"{len(uploads)} files attached", "evidence", f"attach at most {MAX_UPLOADS}"
        )
    folder = evidence_dir(ws)
    folder.mkdir(mode=0o700, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".upload-") as tmp:
        paths = [_receive(upload, Path(tmp) / str(n)) for n, upload in enumerate(uploads)]
        return add(ws, client, control_id, statement, paths, expires)


def _receive(upload: UploadedFile[bytes], folder: Path) -> Path:
    """Write one upload into its own folder under its own name, refusing empty or large files."""
    name = upload_name(upload.name)
    if (upload.size or 0) > MAX_FILE:
        raise DatawardError(f"is larger than {MAX_FILE // 2**20} MB", name, "attach a smaller file")
    folder.mkdir(mode=0o700)
    target = folder / name
    written = 0
    with target.open("wb") as fh:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > MAX_FILE:
                raise DatawardError(
                    f"is larger than {MAX_FILE // 2**20} MB", name, "attach a smaller file"
                )
            fh.write(chunk)
    if written == 0:
        raise DatawardError("is empty", name, "attach the evidence file itself")
    return target
