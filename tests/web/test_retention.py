"""The retention pages: overdue data, holds, plans, four-eyes approval and certificates."""

from __future__ import annotations

import uuid

import pytest


def _plan(slug: str, maker: str = "demo-admin"):  # type: ignore[no-untyped-def]
    """Write a draft plan of one item for a client, as `retention plan` would leave it."""
    from dataward.core.models import Client
    from dataward.retention.models import DisposalItem, DisposalPlan
    from dataward.web.app import served

    assert served.ws is not None
    client = Client.objects.get(slug=slug)
    plan = DisposalPlan.objects.create(
        client=client,
        ref=f"DP-T{uuid.uuid4().hex[:8].upper()}",
        method="delete",
        created_by=maker,
        created_at=served.ws.clock(),
        note="web test",
    )
    DisposalItem.objects.create(
        client=client,
        plan=plan,
        seq=1,
        root="/nonexistent/share",
        rel="old/extract.csv",
        size=1234,
        sha256="0" * 64,
        category="PII",
        reason="PII kept 900 days; policy keeps 365",
    )
    return plan


def _events(action: str, ref: str) -> int:
    from dataward.core.models import AuditEvent

    return AuditEvent.objects.filter(action=action, object_id=ref).count()


def _scoped_manager() -> str:
    """Return the isolation test's manager scoped to Northbank (created once per worker)."""
    from dataward.core import users
    from dataward.core.models import User
    from dataward.web.app import served

    name = "iso-manager-a"
    if not User.objects.filter(username=name).exists():
        assert served.ws is not None
        users.add(served.ws, name, "manager", ["northbank"])
    return name


@pytest.mark.parametrize("user", ["demo-admin", "demo-auditor", "viewer-northbank"])
def test_retention_page_renders(signed_in, user: str) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(user).get("/retention/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kept past retention" in body
    assert "DP-0001" in body  # the demo's executed Northbank plan
    assert "never run from the dashboard" in body


def test_client_viewer_sees_only_their_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.retention.models import DisposalPlan

    demo = DisposalPlan.objects.unscoped("test").get(ref="DP-0001")
    browser = signed_in("viewer-carewell")
    body = browser.get("/retention/").content.decode()
    assert "DP-0001" not in body
    assert "northbank" not in body
    assert "duplicate extract" in body  # Carewell's planted copy
    assert browser.get(f"/retention/plans/{demo.pk}/").status_code == 404
    assert browser.get("/retention/?client=northbank").status_code == 404


def test_filter_and_export(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-analyst")
    response = browser.get("/retention/?client=carewell&problem=duplicate+extract&export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    lines = text.strip().splitlines()
    assert lines[0].startswith("Client,Problem,Location")
    assert len(lines) >= 2
    assert all(",duplicate extract," in line for line in lines[1:])
    narrowed = browser.get("/retention/?problem=past+retention&q=no-such-file")
    assert "Nothing to show." in narrowed.content.decode()


def test_plan_detail_shows_items_and_no_execution(signed_in) -> None:  # type: ignore[no-untyped-def]
    plan = _plan("telora")
    body = signed_in("demo-auditor").get(f"/retention/plans/{plan.pk}/").content.decode()
    assert plan.ref in body
    assert "/nonexistent/share/old/extract.csv" in body
    assert "1234" in body
    assert "--execute" in body  # told where execution happens
    assert "Approve " + plan.ref not in body  # an auditor may not approve
    response = signed_in("demo-auditor").get(f"/retention/plans/{plan.pk}/?export=xlsx")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_maker_is_refused_with_the_service_message(signed_in) -> None:  # type: ignore[no-untyped-def]
    plan = _plan("telora", maker="demo-admin")
    browser = signed_in("demo-admin")
    page = browser.get(f"/retention/plans/{plan.pk}/").content.decode()
    assert "another user with the approve permission must approve it" in page
    response = browser.post(f"/retention/plans/{plan.pk}/approve/", follow=True)
    assert response.status_code == 200
    assert "you made this plan; another user must approve it" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert _events("retention.approve", plan.ref) == 0


def test_second_user_approves(signed_in) -> None:  # type: ignore[no-untyped-def]
    plan = _plan("telora", maker="demo-admin")
    browser = signed_in("demo-manager")
    assert "Approve " + plan.ref in browser.get(f"/retention/plans/{plan.pk}/").content.decode()
    response = browser.post(f"/retention/plans/{plan.pk}/approve/")
    assert response.status_code == 302
    assert response["Location"] == f"/retention/plans/{plan.pk}/"
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by) == ("approved", "demo-manager")
    assert _events("retention.approve", plan.ref) == 1
    again = browser.post(f"/retention/plans/{plan.pk}/approve/", follow=True)
    assert "is approved, not a draft" in again.content.decode()


@pytest.mark.parametrize("user", ["demo-analyst", "demo-auditor", "viewer-telora"])
def test_roles_without_approve_are_refused(signed_in, user: str) -> None:  # type: ignore[no-untyped-def]
    plan = _plan("telora")
    assert signed_in(user).post(f"/retention/plans/{plan.pk}/approve/").status_code == 403
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_other_clients_plan_is_not_found(signed_in) -> None:  # type: ignore[no-untyped-def]
    plan = _plan("telora")
    browser = signed_in(_scoped_manager())
    assert browser.get(f"/retention/plans/{plan.pk}/").status_code == 404
    assert browser.post(f"/retention/plans/{plan.pk}/approve/").status_code == 404
    assert browser.get(f"/retention/plans/{plan.pk}/certificate/").status_code == 404
    plan.refresh_from_db()
    assert plan.status == "draft"
    mine = _plan("northbank")
    assert browser.post(f"/retention/plans/{mine.pk}/approve/").status_code == 302
    mine.refresh_from_db()
    assert mine.status == "approved"


def test_certificate_download_is_audited(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.retention.models import DisposalPlan

    demo = DisposalPlan.objects.unscoped("test").get(ref="DP-0001")
    browser = signed_in("viewer-northbank")
    page = browser.get(f"/retention/plans/{demo.pk}/").content.decode()
    assert "Certificate of disposal" in page
    before = _events("retention.certificate", "DP-0001")
    pdf = browser.get(f"/retention/plans/{demo.pk}/certificate/?kind=pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert "certificate-DP-0001.pdf" in pdf["Content-Disposition"]
    csv = browser.get(f"/retention/plans/{demo.pk}/certificate/?kind=csv")
    assert b"DP-0001" in csv.content
    assert _events("retention.certificate", "DP-0001") == before + 2


def test_no_certificate_before_disposal(signed_in) -> None:  # type: ignore[no-untyped-def]
    plan = _plan("telora")
    browser = signed_in("demo-manager")
    response = browser.get(f"/retention/plans/{plan.pk}/certificate/", follow=True)
    assert "has no disposed item yet" in response.content.decode()
