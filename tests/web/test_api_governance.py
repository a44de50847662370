"""The retention, controls and risks API: scoped listings and the audited write actions."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client


def _token(username: str, **kwargs) -> str:  # type: ignore[no-untyped-def]
    from dataward.web import tokens
    from dataward.web.app import served

    assert served.ws is not None
    return tokens.create(served.ws, username, "test", **kwargs)[1]


def _api(username: str, **kwargs):  # type: ignore[no-untyped-def]
    """Return a test client whose every call carries a fresh token of the user."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {_token(username, **kwargs)}")


def _events(action: str, object_id: str) -> int:
    from dataward.core.models import AuditEvent

    return AuditEvent.objects.filter(action=action, object_id=object_id).count()


def _plan(slug: str, maker: str = "demo-admin"):  # type: ignore[no-untyped-def]
    from dataward.core.models import Client as Tenant
    from dataward.retention.models import DisposalItem, DisposalPlan
    from dataward.web.app import served

    assert served.ws is not None
    client = Tenant.objects.get(slug=slug)
    plan = DisposalPlan.objects.create(
        client=client,
        ref=f"DP-A{uuid.uuid4().hex[:8].upper()}",
        created_by=maker,
        created_at=served.ws.clock(),
    )
    DisposalItem.objects.create(
        client=client, plan=plan, seq=1, root="/nonexistent", rel="a.csv", size=10,
        sha256="1" * 64, category="PII", reason="test",
    )  # fmt: skip
    return plan


def _risk(slug: str | None):  # type: ignore[no-untyped-def]
    from dataward.risks import service
    from dataward.web.app import served

    assert served.ws is not None
    title = f"api test {uuid.uuid4().hex[:6]}"
    return service.add(served.ws, slug, title=title, likelihood=2, impact=5)


def test_retention_listings_are_paginated_and_scoped(served) -> None:  # type: ignore[no-untyped-def]
    auditor = _api("demo-auditor")
    plans = auditor.get("/api/v1/retention/plans?limit=100").json()
    demo = next(p for p in plans["items"] if p["ref"] == "DP-0001")
    assert (demo["client"], demo["status"], demo["items"]) == ("northbank", "done", 1)
    items = auditor.get(f"/api/v1/retention/plans/{demo['id']}/items").json()
    assert items["count"] == 1
    assert items["items"][0]["status"] == "disposed"
    overdue = auditor.get("/api/v1/retention/overdue?client=carewell&limit=1").json()
    assert overdue["count"] >= 1
    assert len(overdue["items"]) == 1
    assert auditor.get("/api/v1/retention/holds").status_code == 200
    viewer = _api("viewer-carewell")
    mine = viewer.get("/api/v1/retention/plans?limit=100").json()["items"]
    assert all(p["client"] == "carewell" for p in mine)
    assert viewer.get(f"/api/v1/retention/plans/{demo['id']}").status_code == 404
    assert viewer.get(f"/api/v1/retention/plans/{demo['id']}/items").status_code == 404


def test_plan_approval_through_the_api(served) -> None:  # type: ignore[no-untyped-def]
    plan = _plan("telora", maker="demo-admin")
    url = f"/api/v1/retention/plans/{plan.pk}/approve"
    maker = _api("demo-admin").post(url)
    assert maker.status_code == 400
    assert "you made this plan; another user must approve it" in maker.json()["message"]
    analyst = _api("demo-analyst").post(url)
    assert analyst.status_code == 403
    read_only = _api("demo-manager", read_only=True).post(url)
    assert read_only.status_code == 403
    assert read_only.json()["message"].startswith("token: this token is read-only")
    other = _api("demo-manager", clients=["carewell"]).post(url)
    assert other.status_code == 404
    plan.refresh_from_db()
    assert plan.status == "draft"
    approved = _api("demo-manager").post(url)
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["approved_by"]) == (
        "approved",
        "demo-manager",
    )
    assert _events("retention.approve", plan.ref) == 1


def test_checklist_and_control(served) -> None:  # type: ignore[no-untyped-def]
    api = _api("viewer-carewell")
    rows = api.get("/api/v1/controls/checklist?limit=500").json()
    assert rows["count"] > 10
    assert {r["client"] for r in rows["items"]} == {"carewell"}
    hipaa = api.get("/api/v1/controls/checklist?client=carewell&framework=hipaa&limit=500").json()
    assert "VC-05" in {r["control"] for r in hipaa["items"]}
    assert api.get("/api/v1/controls/checklist?framework=NOPE").status_code == 404
    control = api.get("/api/v1/controls/carewell/AC-03").json()
    assert control["status"] == "fail"
    assert "access_leavers_have_no_active_accounts" in {r["check_id"] for r in control["results"]}
    assert "ISO27001_2022" in control["mappings"]
    assert api.get("/api/v1/controls/northbank/AC-03").status_code == 404
    assert api.get("/api/v1/controls/carewell/XX-99").status_code == 404


def test_attestation_upload_through_the_api(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.controls.models import Attestation

    data = b"vendor split of responsibilities, signed\n"
    url = "/api/v1/controls/northbank/VC-03/attestations"
    refused = _api("demo-auditor").post(url, {"statement": "x"})
    assert refused.status_code == 403
    other = _api("demo-manager", clients=["carewell"]).post(url, {"statement": "x"})
    assert other.status_code == 404
    empty = _api("demo-manager").post(
        url, {"statement": "split", "evidence": SimpleUploadedFile("none.pdf", b"")}
    )
    assert empty.status_code == 400
    assert empty.json()["message"] == "none.pdf: is empty; attach the evidence file itself"
    response = _api("demo-manager").post(
        url,
        {
            "statement": "Responsibilities split in writing",
            "expires": "2027-09-30",
            "evidence": [SimpleUploadedFile("raci.pdf", data), SimpleUploadedFile("sow.txt", b"s")],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "current"
    assert body["files"][0] == {
        "name": "raci.pdf",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    assert Attestation.objects.unscoped("test").filter(pk=body["id"]).exists()
    assert _events("control.attest", str(body["id"])) == 1
    shown = _api("viewer-northbank").get("/api/v1/controls/northbank/VC-03").json()
    assert body["id"] in {a["id"] for a in shown["attestations"]}


def test_risk_listing_and_update(served) -> None:  # type: ignore[no-untyped-def]
    risk = _risk("carewell")
    viewer = _api("viewer-carewell")
    listed = viewer.get("/api/v1/risks/?limit=500").json()
    assert {r["client"] for r in listed["items"]} == {"carewell"}
    assert risk.ref in {r["ref"] for r in listed["items"]}
    critical = _api("demo-auditor").get("/api/v1/risks/?rating=critical&limit=500").json()
    assert critical["count"] >= 1
    assert {r["rating"] for r in critical["items"]} == {"critical"}
    bad = _api("demo-auditor").get("/api/v1/risks/?status=shut")
    assert bad.status_code == 400
    assert "unknown status 'shut'" in bad.json()["message"]
    detail = viewer.get(f"/api/v1/risks/{risk.pk}").json()
    assert detail["history"][0]["kind"] == "entered"
    assert (
        viewer.patch(f"/api/v1/risks/{risk.pk}", {"owner": "x"}, "application/json").status_code
        == 403
    )
    analyst = _api("demo-analyst")
    changed = analyst.patch(
        f"/api/v1/risks/{risk.pk}",
        {"owner": "ops-lead", "due": "2027-02-28", "note": "api"},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["owner"], changed.json()["due"]) == ("ops-lead", "2027-02-28")
    assert _events("risk.updated", risk.ref) == 1
    nothing = analyst.post(f"/api/v1/risks/{risk.pk}", {}, content_type="application/json")
    assert nothing.status_code == 400
    assert nothing.json()["message"].endswith("nothing to change; give at least one field option")
    closed = analyst.post(
        f"/api/v1/risks/{risk.pk}/close", {"note": "fixed"}, content_type="application/json"
    )
    assert closed.json()["status"] == "closed"
    assert _events("risk.closed", risk.ref) == 1


@pytest.mark.parametrize("slug", ["telora", None])
def test_other_clients_risk_is_not_found(served, slug: str | None) -> None:  # type: ignore[no-untyped-def]
    risk = _risk(slug)
    api = _api("demo-manager", clients=["carewell"])
    assert api.get(f"/api/v1/risks/{risk.pk}").status_code == 404
    for send in (api.patch, api.post):
        assert (
            send(f"/api/v1/risks/{risk.pk}", {"owner": "x"}, "application/json").status_code == 404
        )
    for action in ("close", "reopen"):
        response = api.post(f"/api/v1/risks/{risk.pk}/{action}", {}, "application/json")
        assert response.status_code == 404
    accept = {"approved_by": "demo-admin", "expires": "2027-01-01", "reason": "x"}
    assert (
        api.post(f"/api/v1/risks/{risk.pk}/accept", accept, "application/json").status_code == 404
    )
    risk.refresh_from_db()
    assert (risk.owner, risk.status) == ("", "open")
