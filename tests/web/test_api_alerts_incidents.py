"""The alerts and incidents API: scoped listings, triage, intake, notes and notifications."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.test import Client

JSON = "application/json"


def _token(username: str, **kwargs: Any) -> str:
    from dataward.web import tokens
    from dataward.web.app import served

    assert served.ws is not None
    return tokens.create(served.ws, username, "test", **kwargs)[1]


def _call(token: str, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    browser = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    if method == "get":
        return browser.get(url)
    return browser.post(url, body or {}, content_type=JSON)


def _alert(slug: str) -> Any:
    """Store a fresh alert of one client (no other test reads it)."""
    from dataward.core.models import Client as Tenant
    from dataward.monitoring.models import Alert
    from dataward.web.app import served

    assert served.ws is not None
    now = served.ws.clock()
    return Alert.objects.create(
        client=Tenant.objects.get(slug=slug), ref=f"AL-T{uuid.uuid4().hex[:8].upper()}",
        rule="web_test_rule", title="API test alert", level="medium", group="api-test",
        subject="agent.two@example.invalid", summary="api test", facts={}, first_seen=now,
        last_seen=now, event_count=1, evidence=[], created_at=now, updated_at=now,
    )  # fmt: skip


def _events(action: str, ref: str) -> int:
    from dataward.core.models import AuditEvent

    return AuditEvent.objects.filter(action=action, object_id=ref).count()


def _count() -> int:
    from dataward.incidents.models import Incident

    return int(Incident.objects.unscoped("test").count())


def _ago(hours: int) -> str:
    from dataward.web.app import served

    assert served.ws is not None
    return (served.ws.clock() - timedelta(hours=hours)).isoformat()


def test_alert_listing_is_paginated_filtered_and_scoped(served) -> None:  # type: ignore[no-untyped-def]
    manager = _token("demo-manager")
    body = _call(manager, "get", "/api/v1/alerts/?limit=2").json()
    assert body["count"] >= 5
    assert len(body["items"]) == 2
    body = _call(manager, "get", "/api/v1/alerts/?level=critical&state=new").json()
    assert "AL-000001" in {a["ref"] for a in body["items"]}
    assert {a["level"] for a in body["items"]} == {"critical"}
    viewer = _token("viewer-northbank")
    refs = {a["ref"] for a in _call(viewer, "get", "/api/v1/alerts/?limit=500").json()["items"]}
    assert {"AL-000002", "AL-000003"} <= refs
    assert "AL-000001" not in refs
    assert _call(viewer, "get", "/api/v1/alerts/AL-000001").status_code == 404
    one = _call(viewer, "get", "/api/v1/alerts/AL-000003").json()
    assert one["client"] == "northbank"
    assert one["evidence"][0]["source"]
    assert _call(viewer, "get", "/api/v1/alerts/?client=carewell").status_code == 404


def test_triage_end_to_end(served) -> None:  # type: ignore[no-untyped-def]
    alert = _alert("carewell")
    url = f"/api/v1/alerts/{alert.ref}"
    manager = _token("demo-manager")
    response = _call(manager, "post", url + "/assign", {"assignee": "demo-analyst"})
    assert response.status_code == 200
    assert response.json()["assignee"] == "demo-analyst"
    response = _call(manager, "post", url + "/triage", {"state": "false_positive"})
    assert response.status_code == 400
    assert "closing an alert needs a reason" in response.json()["message"]
    response = _call(manager, "post", url + "/triage", {"state": "false_positive", "reason": "QA"})
    assert response.status_code == 200
    assert response.json()["state"] == "false_positive"
    assert _events("alerts.triage", alert.ref) == 1
    assert _events("alerts.assign", alert.ref) == 1


def test_triage_refused_for_wrong_role_read_only_token_and_other_client(served) -> None:  # type: ignore[no-untyped-def]
    alert = _alert("northbank")
    url = f"/api/v1/alerts/{alert.ref}/triage"
    body = {"state": "investigating"}
    assert _call(_token("demo-auditor"), "post", url, body).status_code == 403
    assert _call(_token("viewer-northbank"), "post", url, body).status_code == 403
    response = _call(_token("demo-manager", read_only=True), "post", url, body)
    assert response.status_code == 403
    assert response.json()["code"] == "PermissionDeniedError"
    other = _token("demo-manager", clients=["carewell"])
    assert _call(other, "get", f"/api/v1/alerts/{alert.ref}").status_code == 404
    for action in ("triage", "assign", "escalate"):
        response = _call(other, "post", f"/api/v1/alerts/{alert.ref}/{action}", body)
        assert response.status_code == 404, action
    assert _events("alerts.triage", alert.ref) == 0


def test_escalate_opens_an_incident(served) -> None:  # type: ignore[no-untyped-def]
    alert = _alert("telora")
    analyst = _token("demo-analyst")
    response = _call(analyst, "post", f"/api/v1/alerts/{alert.ref}/escalate", {})
    assert response.status_code == 200
    body = response.json()
    assert body["alert"]["state"] == "escalated"
    assert body["incident"].startswith("INC-")
    incident = _call(analyst, "get", f"/api/v1/incidents/{body['incident']}").json()
    assert incident["severity"] == "medium"
    assert incident["impacts"][0]["client"] == "telora"


def test_incident_listing_and_clocks(served) -> None:  # type: ignore[no-untyped-def]
    auditor = _token("demo-auditor")
    body = _call(auditor, "get", "/api/v1/incidents/?limit=2").json()
    assert body["count"] >= 3
    assert body["items"][0]["ref"] == "INC-0001"
    clocks = _call(auditor, "get", "/api/v1/incidents/clocks?state=overdue").json()["items"]
    assert ("INC-0003", "gdpr_art33") in {(c["ref"], c["rule"]) for c in clocks}
    viewer = _token("viewer-northbank")
    refs = {i["ref"] for i in _call(viewer, "get", "/api/v1/incidents/").json()["items"]}
    assert "INC-0002" in refs
    assert "INC-0003" not in refs
    assert _call(viewer, "get", "/api/v1/incidents/INC-0003").status_code == 404
    doc = _call(viewer, "get", "/api/v1/incidents/INC-0002").json()
    assert doc["clocks"][0]["contract_hours"] is not None
    assert doc["timeline"]


def test_incident_intake_note_and_notification_end_to_end(served) -> None:  # type: ignore[no-untyped-def]
    manager = _token("demo-manager")
    intake = {
        "title": f"API test {uuid.uuid4().hex[:8]}",
        "severity": "high",
        "clients": ["carewell"],
        "data_categories": ["PHI"],
        "records": 3,
        "detected_at": _ago(3),
    }
    response = _call(manager, "post", "/api/v1/incidents/", intake)
    assert response.status_code == 201, response.content
    doc = response.json()
    ref = doc["ref"]
    assert {c["rule"] for c in doc["clocks"]} >= {"contract"}
    assert all(c["left"] for c in doc["clocks"])  # freshly started: time left on each
    assert _events("incident.report", ref) == 1
    response = _call(manager, "post", f"/api/v1/incidents/{ref}/notes", {"text": "Laptop found"})
    assert response.status_code == 200
    assert response.json()["timeline"][-1]["text"] == "Laptop found"
    assert _events("incident.note", ref) == 1
    body = {"rule": "contract", "client": "carewell", "at": _ago(1), "note": "phoned"}
    response = _call(manager, "post", f"/api/v1/incidents/{ref}/notifications", body)
    assert response.status_code == 200
    assert response.json()["state"] == "met"
    assert _events("incident.notify", ref) == 1
    other = _token("demo-manager", clients=["northbank"])
    assert _call(other, "get", f"/api/v1/incidents/{ref}").status_code == 404
    note = {"text": "not mine"}
    assert _call(other, "post", f"/api/v1/incidents/{ref}/notes", note).status_code == 404
    assert _call(other, "post", f"/api/v1/incidents/{ref}/notifications", body).status_code == 404
    assert _call(_token("demo-auditor"), "post", "/api/v1/incidents/", intake).status_code == 403
    ro = _token("demo-manager", read_only=True)
    assert _call(ro, "post", f"/api/v1/incidents/{ref}/notes", note).status_code == 403
    assert _events("incident.note", ref) == 1


def test_bad_intake_is_one_line_and_stores_nothing(served) -> None:  # type: ignore[no-untyped-def]
    manager = _token("demo-manager")
    before = _count()
    future = {"title": "Not stored", "severity": "low", "detected_at": "2099-01-01T00:00Z"}
    response = _call(manager, "post", "/api/v1/incidents/", future)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "where"}
    assert "in the future" in body["message"]
    assert "\n" not in body["message"]
    unknown = {"title": "Not stored", "severity": "low", "clients": ["nosuch"]}
    response = _call(manager, "post", "/api/v1/incidents/", unknown)
    assert response.status_code == 400
    assert "no client 'nosuch'" in response.json()["message"]  # operation-wide: sees every client
    assert _count() == before


def test_client_filter_tells_another_client_from_a_made_up_one_by_nothing(served) -> None:  # type: ignore[no-untyped-def]
    """Regression: ?client= gave 403 for another client and 400 "no client 'x'" for none."""
    viewer = _token("viewer-northbank")
    for url in ("/api/v1/alerts/", "/api/v1/incidents/", "/api/v1/incidents/clocks"):
        other = _call(viewer, "get", f"{url}?client=carewell")
        made_up = _call(viewer, "get", f"{url}?client=nosuch")
        assert other.status_code == made_up.status_code == 404, url
        assert other.json() == made_up.json(), url
        assert _call(viewer, "get", f"{url}?client=northbank").status_code == 200, url
        assert _call(_token("demo-auditor"), "get", f"{url}?client=carewell").status_code == 200


def test_client_fields_of_writes_tell_nothing_about_other_clients(served) -> None:  # type: ignore[no-untyped-def]
    """Regression: intake, notes and notifications answered 403 for another client's slug and
    400 "no client 'x'" for a made-up one, so a scoped user could list the other clients."""
    scoped = _token("demo-manager", clients=["northbank"])
    before = _count()
    answers = []
    for slug in ("carewell", "nosuch"):
        intake = {"title": "Not stored", "severity": "low", "clients": [slug]}
        answers.append(_call(scoped, "post", "/api/v1/incidents/", intake))
    assert answers[0].status_code == answers[1].status_code == 400
    assert answers[0].json() == answers[1].json()
    assert "carewell" not in answers[0].content.decode()
    assert _count() == before
    mine = {
        "title": f"API test {uuid.uuid4().hex[:8]}",
        "severity": "low",
        "clients": ["northbank"],
    }
    ref = _call(scoped, "post", "/api/v1/incidents/", mine).json()["ref"]
    for path, body in (("notes", {"text": "x"}), ("notifications", {"rule": "contract"})):
        other, made_up = (
            _call(scoped, "post", f"/api/v1/incidents/{ref}/{path}", body | {"client": slug})
            for slug in ("carewell", "nosuch")
        )
        assert other.status_code == made_up.status_code == 400, path
        assert other.json() == made_up.json(), path
    assert _events("incident.note", ref) == 0
    assert _events("incident.notify", ref) == 0


def test_intake_numbers_and_lengths_the_database_cannot_hold_are_refused(served) -> None:  # type: ignore[no-untyped-def]
    """Regression: a Unicode digit was a 500; a count past 2**31-1 or a 255-character handler
    was stored on SQLite and a 500 on PostgreSQL."""
    manager = _token("demo-manager")
    before = _count()
    base = {"title": "Not stored", "severity": "low"}
    for change in (
        {"clients": ["northbank:PII:\u00b2"]},
        {"clients": ["northbank:PII:2147483648"]},
        {"clients": ["northbank"], "records": 2**31},
        {"clients": ["northbank"], "handler": "h" * 255},
    ):
        response = _call(manager, "post", "/api/v1/incidents/", base | change)
        assert response.status_code == 400, change
        assert set(response.json()) == {"code", "message", "where"}
    assert _count() == before


def test_an_offset_past_what_the_database_takes_is_refused(served) -> None:  # type: ignore[no-untyped-def]
    """Regression: ninja's LimitOffsetPagination passed ?offset=2**63 to the database: a 500."""
    viewer = _token("viewer-northbank")
    for url in ("/api/v1/alerts/", "/api/v1/incidents/", "/api/v1/incidents/clocks"):
        assert _call(viewer, "get", f"{url}?offset={2**63}").status_code == 422, url
        assert _call(viewer, "get", f"{url}?offset=1000000").json()["items"] == [], url
