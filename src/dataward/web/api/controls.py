"""API: each client's checklist, one control's results and attestations, and attesting it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import File, Form, Router, Schema, UploadedFile
from ninja.pagination import paginate

from dataward.controls import attestations, catalog_service, posture_service
from dataward.controls.models import Attestation
from dataward.web.api import Paged, api_ws
from dataward.web.pages.controls import checklist, control_doc_or_404, frameworks_of
from dataward.web.views import client_or_404, clients_for

router = Router(tags=["controls"])
OBJECTS = {
    "controls_control": (Attestation, {"client": "client__slug", "control_id": "control_id"}),
    "controls_attest": (Attestation, {"client": "client__slug", "control_id": "control_id"}),
}


class ChecklistRowOut(Schema):
    """One control of a client's checklist with its latest status."""

    client: str
    control: str
    area: str
    title: str
    applies_because: str
    evidence: str
    status: str
    failing_checks: str
    owner: str
    due: date | None
    requirements: str


class ResultOut(Schema):
    """One check result behind a control (summary and masked evidence only)."""

    client: str
    check_id: str
    status: str
    severity: str
    subject: str
    summary: str
    evidence: list[Any]
    at: datetime
    exception_ref: str


class FileOut(Schema):
    """An evidence file kept in the workspace under its SHA-256."""

    name: str
    sha256: str
    size: int


class AttestationOut(Schema):
    """A signed statement that a control is in place, with its evidence files."""

    id: int
    client: str
    control_id: str
    attester: str
    statement: str
    files: list[FileOut]
    attested_at: datetime
    expires: date
    state: str


class ControlOut(Schema):
    """One control for one client: the catalog entry, status, results and attestations."""

    id: str
    title: str
    statement: str
    status: str | None
    checks: list[str]
    attestation: str
    mappings: dict[str, list[dict[str, str]]]
    results: list[ResultOut]
    attestations: list[AttestationOut]


def attestation_out(a: Attestation, today: date) -> dict[str, Any]:
    """Return an attestation as the API shows it."""
    fields = ("control_id", "attester", "statement", "files", "attested_at", "expires")
    return {
        "id": a.pk,
        "client": a.client.slug,
        "state": attestations.state(a.expires, today),
        **{f: getattr(a, f) for f in fields},
    }


@router.get("/checklist", response=list[ChecklistRowOut], url_name="controls_checklist")
@paginate(Paged)
def list_checklist(
    request: HttpRequest, client: str | None = None, framework: str | None = None
) -> Any:
    """List the checklist of one client or every client in scope (one framework's controls)."""
    ws = api_ws(request)
    targets = [client_or_404(ws, client)] if client else clients_for(ws)
    chosen = (framework or "").upper()
    if chosen and chosen not in frameworks_of(targets):
        raise Http404("no such framework")
    return checklist(ws, targets, chosen)


@router.get("/{client}/{control_id}", response=ControlOut, url_name="controls_control")
def get_control(request: HttpRequest, client: str, control_id: str) -> Any:
    """Return one control for a client with the results and attestations behind its status."""
    ws = api_ws(request)
    target = client_or_404(ws, client)
    doc = control_doc_or_404(control_id)
    rows = catalog_service.checklist_rows(ws, target)
    status = next((r["status"] for r in rows if r["control"] == doc["id"]), None)
    results = [
        {
            **{f: getattr(r, f) for f in ResultOut.model_fields if f != "client"},
            "client": r.client.slug,
        }
        for r in posture_service.control_results(ws, target, doc["id"])
    ]
    today = ws.clock().date()
    history = attestations.history(ws, target, doc["id"])
    return {
        **{k: doc[k] for k in ("id", "title", "statement", "checks", "attestation")},
        "mappings": doc["mappings"],
        "status": status,
        "results": results,
        "attestations": [attestation_out(a, today) for a in history],
    }


@router.post(
    "/{client}/{control_id}/attestations", response=AttestationOut, url_name="controls_attest"
)
def attest(
    request: HttpRequest,
    client: str,
    control_id: str,
    statement: Form[str] = "",  # optional here so the service gives its own one-line error
    expires: Form[date | None] = None,
    evidence: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """Attest a control for a client with evidence files (multipart); stored and audited."""
    ws = api_ws(request, write=True)
    target = client_or_404(ws, client)  # the service refuses a role that may not attest
    doc = control_doc_or_404(control_id)
    record = attestations.add_uploaded(ws, target, doc["id"], statement, evidence or [], expires)
    return attestation_out(record, ws.clock().date())
