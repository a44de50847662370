"""The risk pages: the register with filters, sort and export; a risk's edits, audited."""

from __future__ import annotations

import html
import uuid

import pytest


def _risk(slug: str | None = "telora", **fields):  # type: ignore[no-untyped-def]
    """Enter a risk of our own (the demo workspace is shared; other tests read the demo's)."""
    from dataward.risks import service
    from dataward.web.app import served

    assert served.ws is not None
    values = {"title": f"web test {uuid.uuid4().hex[:6]}", "likelihood": 3, "impact": 4}
    return service.add(served.ws, slug, **{**values, **fields})


def _events(action: str, ref: str) -> int:
    from dataward.core.models import AuditEvent

    return AuditEvent.objects.filter(action=action, object_id=ref).count()


def _csv(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode().strip().splitlines()


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


@pytest.mark.parametrize("user", ["demo-admin", "demo-manager", "demo-auditor", "viewer-telora"])
def test_register_renders(signed_in, user: str) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(user).get("/risks/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Risk register" in body
    assert "RISK-" in body
    assert 'class="heat"' in body


def test_client_viewer_sees_only_their_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.risks.models import Risk

    browser = signed_in("viewer-telora")
    lines = _csv(browser.get("/risks/?export=csv"))
    assert len(lines) > 2
    assert all(line.split(",")[1] == "telora" for line in lines[1:])
    assert browser.get("/risks/?client=carewell").status_code == 404
    assert browser.get("/risks/?client=operation").status_code == 404
    others = Risk.objects.unscoped("test").exclude(client__slug="telora")
    for risk in others.order_by("id")[:3]:  # a client's and the operation's
        assert browser.get(f"/risks/{risk.pk}/").status_code == 404


def test_filters_sort_and_export(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-auditor")
    critical = _csv(browser.get("/risks/?rating=critical&export=csv"))
    assert critical[0].startswith("ref,client,title,category,likelihood")
    assert len(critical) > 1
    assert all(",critical," in line for line in critical[1:])
    mine = _risk("carewell", owner="dana@example.invalid")
    owned = _csv(browser.get("/risks/?owner=dana@example.invalid&export=csv"))
    assert [line.split(",")[0] for line in owned[1:]] == [mine.ref]
    assert "operation" in {line.split(",")[1] for line in _csv(browser.get("/risks/?export=csv"))}
    by_score = browser.get("/risks/?client=telora&sort=score").content.decode()
    assert "▲" in by_score
    xlsx = browser.get("/risks/?status=open&export=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_closed_risks_only_when_asked(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.risks import service
    from dataward.web.app import served

    closed = _risk("carewell")
    assert served.ws is not None
    service.close(served.ws, closed.ref, "web test")
    browser = signed_in("demo-manager")
    assert closed.ref not in browser.get("/risks/?client=carewell").content.decode()
    assert closed.ref in browser.get("/risks/?client=carewell&status=closed").content.decode()


def test_detail_shows_links_and_history(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.risks import service
    from dataward.web.app import served

    risk = _risk("carewell")
    assert served.ws is not None
    service.link(served.ws, risk.ref, "controls", ["AC-03"])
    service.link(served.ws, risk.ref, "alerts", ["ALERT-0007"])
    browser = signed_in("demo-auditor")
    body = browser.get(f"/risks/{risk.pk}/").content.decode()
    assert risk.ref in body
    assert 'href="/controls/carewell/AC-03/"' in body
    assert "ALERT-0007" in body
    assert "entered" in body
    assert "linked" in body
    assert "Owner, treatment, due date" not in body  # an auditor may not edit


def test_update_is_audited(signed_in) -> None:  # type: ignore[no-untyped-def]
    risk = _risk("telora")
    browser = signed_in("demo-analyst")
    form = {"owner": "ops-lead", "treatment": "transfer", "due": "2027-01-31", "note": "web"}
    response = browser.post(f"/risks/{risk.pk}/update/", form)
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.owner, risk.treatment, str(risk.due)) == ("ops-lead", "transfer", "2027-01-31")
    assert _events("risk.updated", risk.ref) == 1
    again = browser.post(f"/risks/{risk.pk}/update/", form)  # nothing differs now
    assert again.status_code == 400
    assert "nothing to change" in again.content.decode()
    bad = browser.post(f"/risks/{risk.pk}/update/", {"due": "next week"})
    assert "due: &#x27;next week&#x27; is not a date; write YYYY-MM-DD" in bad.content.decode()
    assert _events("risk.updated", risk.ref) == 1


def test_status_changes_are_audited(signed_in) -> None:  # type: ignore[no-untyped-def]
    risk = _risk("telora", owner="ops-lead")
    browser = signed_in("demo-manager")
    url = f"/risks/{risk.pk}/status/"
    refused = browser.post(url, {"action": "accept", "note": "cost", "approved_by": "ops-lead"})
    assert refused.status_code == 400
    assert "accepting needs an expiry date" in refused.content.decode()
    self_approved = browser.post(
        url,
        {"action": "accept", "note": "cost", "approved_by": "ops-lead", "expires": "2027-03-01"},
    )
    text = html.unescape(self_approved.content.decode())
    assert "ops-lead owns " + risk.ref + " and cannot approve accepting it" in text
    accepted = browser.post(
        url,
        {
            "action": "accept",
            "note": "cost exceeds harm",
            "approved_by": "demo-admin",
            "expires": "2027-03-01",
        },
    )
    assert accepted.status_code == 302
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_by) == ("accepted", "demo-admin")
    assert _events("risk.accepted", risk.ref) == 1
    assert browser.post(url, {"action": "reopen", "note": "re-judged"}).status_code == 302
    assert browser.post(url, {"action": "close", "note": "fixed"}).status_code == 302
    risk.refresh_from_db()
    assert risk.status == "closed"
    assert _events("risk.reopened", risk.ref) == 1
    assert _events("risk.closed", risk.ref) == 1


@pytest.mark.parametrize("user", ["demo-auditor", "viewer-telora"])
def test_roles_that_may_not_edit_are_refused(signed_in, user: str) -> None:  # type: ignore[no-untyped-def]
    risk = _risk("telora")
    browser = signed_in(user)
    assert browser.post(f"/risks/{risk.pk}/update/", {"owner": "x"}).status_code == 403
    assert browser.post(f"/risks/{risk.pk}/status/", {"action": "close"}).status_code == 403
    risk.refresh_from_db()
    assert (risk.owner, risk.status) == ("", "open")


def test_other_clients_risk_is_not_found(signed_in) -> None:  # type: ignore[no-untyped-def]
    theirs, operation, mine = _risk("telora"), _risk(None), _risk("northbank")
    browser = signed_in(_scoped_manager())
    for risk in (theirs, operation):
        assert browser.get(f"/risks/{risk.pk}/").status_code == 404
        assert browser.post(f"/risks/{risk.pk}/update/", {"owner": "x"}).status_code == 404
        assert browser.post(f"/risks/{risk.pk}/status/", {"action": "close"}).status_code == 404
        risk.refresh_from_db()
        assert risk.owner == ""
    assert browser.post(f"/risks/{mine.pk}/update/", {"owner": "x"}).status_code == 302
