"""The alerts pages: the list with filters and export, one alert's evidence, and its triage."""

from __future__ import annotations

import uuid

import pytest


def _alert(slug: str, level: str = "high"):  # type: ignore[no-untyped-def]
    """Store a fresh alert of one client, as the rules would leave it (no other test reads it)."""
    from dataward.core.models import Client
    from dataward.monitoring.models import Alert
    from dataward.web.app import served

    assert served.ws is not None
    now = served.ws.clock()
    return Alert.objects.create(
        client=Client.objects.get(slug=slug),
        ref=f"AL-T{uuid.uuid4().hex[:8].upper()}",
        rule="web_test_rule",
        title="Web test alert",
        level=level,
        group="web-test",
        subject="agent.one@example.invalid",
        summary="agent.one used a system at 03:10 local time",
        facts={"user.name": "agent.one@example.invalid", "host.name": "wt-host01"},
        first_seen=now,
        last_seen=now,
        event_count=1,
        evidence=[{"event": 0, "source": "app-access", "line": 7, "at": now.isoformat()}],
        created_at=now,
        updated_at=now,
    )


def _state(pk: int) -> tuple[str, str, str]:
    from dataward.monitoring.models import Alert

    a = Alert.objects.unscoped("test").get(pk=pk)
    return a.state, a.assignee, a.incident_ref


def _events(action: str, ref: str) -> int:
    from dataward.core.models import AuditEvent

    return AuditEvent.objects.filter(action=action, object_id=ref).count()


def _scoped_manager(slug: str) -> str:
    """Return a manager scoped to one client (created once per test worker)."""
    from dataward.core import users
    from dataward.core.models import User
    from dataward.web.app import served

    name = f"mgr-{slug}"
    if not User.objects.filter(username=name).exists():
        users.add(served.ws, name, "manager", [slug], email=f"{name}@dataward.invalid")
    return name


def _demo(ref: str) -> int:
    from dataward.monitoring.models import Alert

    return int(Alert.objects.unscoped("test").get(ref=ref).pk)


@pytest.mark.parametrize("user", ["demo-admin", "demo-analyst", "demo-manager", "demo-auditor"])
def test_alerts_page_renders(signed_in, user: str) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(user).get("/alerts/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "AL-000001" in body
    assert "AL-000005" in body
    assert 'href="/alerts/"' in body  # the menu entry


def test_filters_sort_and_export(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-manager")
    body = browser.get("/alerts/?level=critical").content.decode()
    assert "AL-000001" in body
    assert "AL-000003" not in body
    body = browser.get("/alerts/?rule=bpo_failed_login_burst&state=new").content.decode()
    assert "AL-000005" in body
    assert "AL-000001" not in body
    body = browser.get("/alerts/?client=telora").content.decode()
    assert "AL-000004" in body
    assert "AL-000002" not in body
    body = browser.get("/alerts/?sort=-level_rank&state=new").content.decode()
    assert body.index("AL-000001") < body.index("AL-000002")  # critical before medium
    response = browser.get("/alerts/?export=csv&client=northbank")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("Alert,Client,Level,State")
    assert "AL-000002" in text
    assert "AL-000001" not in text
    response = browser.get("/alerts/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="alerts.xlsx"'


def test_client_viewer_sees_only_their_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("viewer-northbank")
    body = browser.get("/alerts/").content.decode()
    assert "AL-000002" in body
    assert "AL-000003" in body
    assert "AL-000001" not in body
    assert "carewell" not in body
    assert browser.get(f"/alerts/{_demo('AL-000001')}/").status_code == 404
    assert browser.get("/alerts/?client=carewell").status_code == 404
    response = browser.get(f"/alerts/{_demo('AL-000003')}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Read-only" in body
    assert 'name="state"' not in body
    assert "app-access" in body or "sso-auth" in body  # evidence: source and line


def test_read_only_roles_are_refused_writes(signed_in) -> None:  # type: ignore[no-untyped-def]
    alert = _alert("carewell")
    for user in ("demo-auditor", "viewer-carewell"):
        browser = signed_in(user)
        assert browser.get(f"/alerts/{alert.pk}/").status_code == 200
        for action in ("triage", "assign", "escalate"):
            response = browser.post(f"/alerts/{alert.pk}/{action}/", {"state": "investigating"})
            assert response.status_code == 403, (user, action)
    assert _state(alert.pk) == ("new", "", "")
    assert _events("alerts.triage", alert.ref) == 0


def test_triage_end_to_end(signed_in) -> None:  # type: ignore[no-untyped-def]
    alert = _alert("northbank")
    browser = signed_in("demo-manager")
    page = browser.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'name="state"' in page
    assert "wt-host01" in page
    url = f"/alerts/{alert.pk}/"
    response = browser.post(url + "assign/", {"assignee": "demo-analyst"})
    assert response.status_code == 302
    assert response["Location"] == url
    assert _state(alert.pk) == ("new", "demo-analyst", "")
    assert _events("alerts.assign", alert.ref) == 1
    response = browser.post(url + "assign/", {"assignee": "viewer-northbank"})  # may not triage
    assert response.status_code == 400
    assert "no active user of that name may triage" in response.content.decode()
    assert browser.post(url + "triage/", {"state": "investigating"}).status_code == 302
    assert _state(alert.pk)[0] == "investigating"
    response = browser.post(url + "triage/", {"state": "resolved", "reason": " "})
    assert response.status_code == 400
    assert "closing an alert needs a reason" in response.content.decode()
    assert _state(alert.pk)[0] == "investigating"
    response = browser.post(url + "triage/", {"state": "resolved", "reason": "HR confirmed shift"})
    assert response.status_code == 302
    assert _state(alert.pk)[0] == "resolved"
    assert _events("alerts.triage", alert.ref) == 2
    page = browser.get(url).content.decode()
    assert "HR confirmed shift" in page
    assert "alerts.triage" in page
    assert browser.get(url + "triage/").status_code == 302  # GET never writes


def test_escalate_opens_an_incident(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.incidents.models import Incident

    alert = _alert("telora", level="critical")
    browser = signed_in("demo-analyst")
    url = f"/alerts/{alert.pk}/"
    response = browser.post(url + "escalate/", {"title": "", "severity": "high"})
    assert response.status_code == 302
    state, _, ref = _state(alert.pk)
    assert state == "escalated"
    assert ref.startswith("INC-")
    incident = Incident.objects.unscoped("test").get(ref=ref)
    assert incident.severity == "high"
    assert alert.ref in incident.title
    assert _events("alerts.escalate", alert.ref) == 1
    assert _events("incident.report", ref) == 1
    page = browser.get(url).content.decode()
    assert f'href="/incidents/{incident.pk}/"' in page
    response = browser.post(url + "escalate/", {"severity": "high"})
    assert response.status_code == 400  # a second escalation is refused in one line


def test_other_clients_alert_is_404_for_a_scoped_triager(signed_in) -> None:  # type: ignore[no-untyped-def]
    other = _alert("northbank")
    mine = _alert("carewell")
    browser = signed_in(_scoped_manager("carewell"))
    body = browser.get("/alerts/").content.decode()
    assert mine.ref in body
    assert other.ref not in body
    assert browser.get(f"/alerts/{other.pk}/").status_code == 404
    for action in ("triage", "assign", "escalate"):
        response = browser.post(f"/alerts/{other.pk}/{action}/", {"state": "investigating"})
        assert response.status_code == 404
    assert _state(other.pk) == ("new", "", "")
    response = browser.post(f"/alerts/{mine.pk}/triage/", {"state": "investigating"})
    assert response.status_code == 302
    assert _state(mine.pk)[0] == "investigating"


def test_assign_refusal_does_not_echo_the_typed_name(signed_in) -> None:  # type: ignore[no-untyped-def]
    """Regression: the error quoted whatever was typed into the assignee field."""
    alert = _alert("northbank")
    typed = "Zq-typed-" + "x" * 300
    response = signed_in("demo-manager").post(f"/alerts/{alert.pk}/assign/", {"assignee": typed})
    assert response.status_code == 400
    assert "no active user of that name may triage" in response.content.decode()
    assert "Zq-typed-" not in response.content.decode()
    assert _state(alert.pk) == ("new", "", "")
