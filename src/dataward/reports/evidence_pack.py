"""One archive per client for its auditor, with a manifest of hashes that ``verify`` checks.

The pack holds the reports, every result of the latest assessment with its evidence rows, the
checklist, exceptions, attestations and their files, and the catalog; nothing of other clients.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataward.errors import DatawardError

if TYPE_CHECKING:  # verify() runs without a workspace (an auditor's machine): no Django here
    from dataward.core.models import Client
    from dataward.core.workspace import Workspace

MANIFEST = "manifest.json"


def _json(doc: Any) -> bytes:
    return (json.dumps(doc, indent=2, default=str) + "\n").encode("utf-8")


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    from dataward.output import inert

    writer.writerows(
        {k: inert(str(v)) if isinstance(v, str) else v for k, v in r.items()} for r in rows
    )
    return buf.getvalue().encode("utf-8")


def _members(ws: Workspace, client: Client) -> dict[str, bytes]:
    """Return every file of the pack by its path inside the archive (the client's data only)."""
    from dataward.controls import attestations, catalog_service, exceptions_service
    from dataward.controls.attestations import evidence_dir
    from dataward.reports.collect import snapshot
    from dataward.reports.engine.oscal import catalog_document
    from dataward.reports.render import render

    snap = snapshot(client)
    if snap is None:
        raise DatawardError(
            f"{client.slug} has never been assessed",
            "evidence-pack",
            f"run dataward assess --client {client.slug} first",
        )
    files: dict[str, bytes] = {
        f"report/{client.slug}.{ext}": render(ws, client, fmt)
        for fmt, ext in (
            ("html", "html"),
            ("pdf", "pdf"),
            ("xlsx", "xlsx"),
            ("oscal", "oscal.json"),
        )
    }
    files["catalog.oscal.json"] = _json(catalog_document(catalog_service.catalog(), ws.clock()))
    files["checklist.csv"] = _csv(
        catalog_service.checklist_rows(ws, client), catalog_service.CHECKLIST_COLUMNS
    )
    results = [
        {
            "check": r.check_id,
            "severity": r.severity,
            "status": r.status,
            "subject": r.subject,
            "summary": r.summary,
            "controls": list(r.controls),
            "evidence": list(r.evidence),
        }
        for r in snap.results
    ]
    files["results.jsonl"] = b"".join(
        _json(r).replace(b"\n", b" ").rstrip() + b"\n" for r in results
    )
    files["exceptions.json"] = _json(exceptions_service.rows(ws, client))
    latest = attestations.latest(client)
    listed = []
    for control, a in sorted(latest.items()):
        stored = []
        for f in a.files:
            data = (evidence_dir(ws) / f["sha256"]).read_bytes()
            if hashlib.sha256(data).hexdigest() != f["sha256"]:
                raise DatawardError(
                    f"evidence file {f['name']} of {control} was altered in the workspace",
                    str(evidence_dir(ws) / f["sha256"]),
                    "re-attest with the original file",
                )
            path = f"attestations/{control}/{f['sha256'][:12]}-{Path(f['name']).name}"
            files[path] = data
            stored.append({**f, "path": path})
        listed.append(
            {
                "control": control,
                "attester": a.attester,
                "statement": a.statement,
                "attested_at": a.attested_at,
                "expires": a.expires,
                "files": stored,
            }
        )
    files["attestations.json"] = _json(listed)
    return files


def build(ws: Workspace, client: Client, output: Path) -> dict[str, Any]:
    """Write the client's evidence pack (zip) atomically; return its manifest."""
    from dataward.core.engine.permissions import Action
    from dataward.core.engine.workspace import atomic_write

    ws.require(Action.EXPORT, client.slug)
    files = _members(ws, client)
    manifest = {
        "client": client.slug,
        "generated": ws.clock().isoformat(),
        "files": [
            {"path": p, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
            for p, d in sorted(files.items())
        ],
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(files.items()):
            archive.writestr(path, data)
        archive.writestr(MANIFEST, _json(manifest))
    atomic_write(output, buf.getvalue(), mode=0o600)
    from dataward.core import audit

    audit.record(
        ws,
        "evidence_pack.build",
        client.slug,
        "evidence_pack",
        output.name,
        detail={"files": len(files), "sha256": hashlib.sha256(buf.getvalue()).hexdigest()},
    )
    return manifest


def verify(path: Path) -> list[dict[str, str]]:
    """Return the problems found in a pack: missing, altered or unlisted files (empty: intact)."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise DatawardError(f"is not a readable zip ({exc})", str(path), "check the file") from None
    with archive:
        names = {n for n in archive.namelist() if not n.endswith("/")}
        if MANIFEST not in names:
            return [{"path": MANIFEST, "problem": "missing: this is not a dataward evidence pack"}]
        try:
            manifest = json.loads(archive.read(MANIFEST))
            listed = {f["path"]: f for f in manifest["files"]}
        except (ValueError, KeyError, TypeError):
            return [{"path": MANIFEST, "problem": "unreadable manifest"}]
        problems = []
        for name, entry in sorted(listed.items()):
            if name not in names:
                problems.append({"path": name, "problem": "missing"})
            elif _digest(archive, name) != entry.get("sha256"):
                problems.append(
                    {"path": name, "problem": "altered (SHA-256 differs from the manifest)"}
                )
        for name in sorted(names - set(listed) - {MANIFEST}):
            problems.append({"path": name, "problem": "not in the manifest"})
        return problems


def _digest(archive: zipfile.ZipFile, name: str) -> str:
    """Return a member's SHA-256, or '' when the member is damaged and cannot be read."""
    try:
        return hashlib.sha256(archive.read(name)).hexdigest()
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        return ""
