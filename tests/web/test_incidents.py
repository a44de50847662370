"""The incidents pages: the register, the intake form, the timeline and notification clocks."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest


def _count() -> int:
    from dataward.incidents.models import Incident

    return int(Incident.objects.unscoped("test").count())


def _incident(ref: str):  # type: ignore[no-untyped-def]
    from dataward.incidents.models import Incident

    return Incident.objects.unscoped("test").get(ref=ref)


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


def _ago(hours: int) -> str:
    from dataward.web.app import served

    assert served.ws is not None
    return (served.ws.clock() - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _report(browser, slug: str, **extra: object):  # type: ignore[no-untyped-def]
    """Report an incident through the form; return it (a fresh one no other test reads)."""
    title = f"Web test {uuid.uuid4().hex[:8]}"
    form = {
        "title": title,
        "severity": "high",
        "client": [slug],
        "category": ["PII"],
        "records": "12",
        "detected_at": _ago(2),
        "description": "An agent's screen was recorded by a visitor.",
        **extra,
    }
    response = browser.post("/incidents/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    from dataward.incidents.models import Incident

    found = Incident.objects.unscoped("test").get(title=title)
    assert response["Location"] == f"/incidents/{found.pk}/"
    return found


@pytest.mark.parametrize("user", ["demo-admin", "demo-analyst", "demo-manager", "demo-auditor"])
def test_incidents_page_renders(signed_in, user: str) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(user).get("/incidents/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "INC-0001" in body
    assert "INC-0003" in body
    assert "gdpr_art33" in body  # the demo's overdue clock, in the running clocks
    assert ("Report an incident" in body) == (user != "demo-auditor")


def test_filters_and_export(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-manager")
    body = browser.get("/incidents/?status=closed").content.decode()
    assert "INC-0001" in body
    assert "INC-0002" not in body
    body = browser.get("/incidents/?client=northbank").content.decode()
    assert "INC-0002" in body
    assert "INC-0003" not in body
    response = browser.get("/incidents/?export=csv&severity=medium")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("Incident,Title,Severity")
    assert "INC-0002" in text
    assert "INC-0001" not in text


def test_client_viewer_sees_only_their_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("viewer-northbank")
    body = browser.get("/incidents/").content.decode()
    assert "INC-0002" in body
    assert "INC-0001" not in body
    assert "INC-0003" not in body
    assert "Report an incident" not in body
    assert browser.get(f"/incidents/{_incident('INC-0003').pk}/").status_code == 404
    response = browser.get(f"/incidents/{_incident('INC-0002').pk}/")
    assert response.status_code == 200
    assert "Add a note" not in response.content.decode()
    assert browser.get("/incidents/new/").status_code == 403


def test_detail_shows_timeline_and_clocks(signed_in) -> None:  # type: ignore[no-untyped-def]
    body = signed_in("demo-auditor").get(f"/incidents/{_incident('INC-0003').pk}/").content
    text = body.decode()
    assert "Notification clocks" in text
    assert "supervisory authority" in text
    assert "overdue" in text
    assert " late" in text
    assert "contract 24 h" in text  # Telora's contract: tell the client within 24 hours
    assert text.index("Recipient confirmed") < text.index("imported from the register as")
    assert "incidents:notify" not in text
    assert "/notify/" not in text
    assert "Add a note" not in text


def test_intake_end_to_end(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-manager")
    assert browser.get("/incidents/new/").status_code == 200
    incident = _report(browser, "northbank", playbook=["misdirected_email_or_file"])
    assert incident.severity == "high"
    assert incident.reported_by == "demo-manager"
    assert _events("incident.report", incident.ref) == 1
    assert _events("incident.impact", incident.ref) == 1
    page = browser.get(f"/incidents/{incident.pk}/").content.decode()
    assert "contract" in page
    assert "12" in page
    assert "Tasks" in page
    assert incident.ref in browser.get("/incidents/").content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"detected_at": "2099-01-01T00:00"}, "is in the future"),
        ({"client": ["nosuch"]}, "no client &#x27;nosuch&#x27;"),
        ({"severity": "apocalyptic"}, "unknown severity"),
        ({"title": " "}, "the title must be 1-200 characters"),
        ({"records": "twelve"}, "records must be a whole number"),
        ({"playbook": ["/etc/passwd.yaml"]}, "no playbook"),
        ({"category": ["SECRETS"]}, "data categories must be among"),
    ],
)
def test_bad_intake_stores_nothing(signed_in, change: dict[str, object], message: str) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-analyst")
    form = {"title": "Should not be stored", "severity": "low", "client": ["carewell"]}
    before = _count()
    response = browser.post("/incidents/new/", form | change)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert body.count('class="error"') == 1  # one line, on the form
    assert 'value="Should not be stored"' in body or change.get("title")  # typed values kept
    assert _count() == before


def test_wrong_roles_may_not_report(signed_in) -> None:  # type: ignore[no-untyped-def]
    before = _count()
    for user in ("demo-auditor", "viewer-carewell"):
        response = signed_in(user).post("/incidents/new/", {"title": "x", "severity": "low"})
        assert response.status_code == 403
    scoped = signed_in(_scoped_manager("carewell"))
    response = scoped.post(
        "/incidents/new/", {"title": "Not mine", "severity": "low", "client": ["northbank"]}
    )
    assert response.status_code == 400  # outside the user's scope: refused in one line,
    made_up = scoped.post(  # the very line a made-up slug gets (regression: it was 403 vs 400)
        "/incidents/new/", {"title": "Not mine", "severity": "low", "client": ["nosuch"]}
    )
    assert made_up.status_code == 400
    assert _error_line(response) == _error_line(made_up) != ""
    assert "northbank" not in _error_line(response)
    assert _count() == before


def _error_line(response) -> str:  # type: ignore[no-untyped-def]
    import re

    found = re.search(r'role="alert">([^<]*)<', response.content.decode())
    return found.group(1) if found else ""


@pytest.mark.parametrize(
    "change",
    [
        {"records": "\u00b2"},  # a Unicode digit: str.isdigit() says yes, int() says no
        {"client": ["carewell:PII:\u00b2"]},
        {"records": "2147483648"},  # past the database's integer column
        {"client": ["carewell:PII:2147483648"]},
        {"handler": "h" * 255},  # past the handler column
    ],
)
def test_intake_refuses_what_the_database_cannot_hold(signed_in, change: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    """Regression: a Unicode digit was a 500; the rest stored (SQLite) or a 500 (PostgreSQL)."""
    before = _count()
    form = {"title": "Should not be stored", "severity": "low", "client": ["carewell"]}
    response = signed_in("demo-analyst").post("/incidents/new/", form | change)
    assert response.status_code == 400
    assert _error_line(response)
    assert _count() == before


def test_note_and_notify_client_fields_reveal_no_other_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    """Regression: another client's slug got 403, a made-up one 400 "no client 'x'"."""
    scoped = signed_in(_scoped_manager("northbank"))
    incident = _report(scoped, "northbank")
    url = f"/incidents/{incident.pk}/"
    for action, form in (("note/", {"text": "hi"}), ("notify/", {"rule": "contract"})):
        other = scoped.post(url + action, form | {"client": "carewell"})
        made_up = scoped.post(url + action, form | {"client": "nosuch"})
        assert other.status_code == made_up.status_code == 400, action
        assert _error_line(other) == _error_line(made_up) != "", action
    assert _events("incident.note", incident.ref) == 0
    assert _events("incident.notify", incident.ref) == 0


def test_timeline_note_and_notification(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-manager")
    incident = _report(browser, "carewell")
    url = f"/incidents/{incident.pk}/"
    response = browser.post(url + "note/", {"text": "Visitor identified; footage deleted."})
    assert response.status_code == 302
    assert response["Location"] == url
    assert _events("incident.note", incident.ref) == 1
    page = browser.get(url).content.decode()
    assert page.index("reported (high)") < page.index("Visitor identified")
    response = browser.post(url + "note/", {"text": "  "})
    assert response.status_code == 400
    assert "the note is empty" in response.content.decode()
    response = browser.post(
        url + "notify/", {"rule": "contract", "client": "carewell", "at": _ago(1), "note": "call"}
    )
    assert response.status_code == 302
    assert _events("incident.notify", incident.ref) == 1
    page = browser.get(url).content.decode()
    assert "met" in page
    response = browser.post(url + "notify/", {"rule": "contract", "client": "carewell"})
    assert response.status_code == 400
    assert "already recorded" in response.content.decode()
    response = browser.post(url + "notify/", {"rule": "nosuch", "client": "carewell"})
    assert response.status_code == 400
    assert "has no clock" in response.content.decode()


def test_writes_refused_for_wrong_role_and_other_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    incident = _report(signed_in("demo-admin"), "northbank")
    url = f"/incidents/{incident.pk}/"
    for user in ("demo-auditor", "viewer-northbank"):
        assert signed_in(user).post(url + "note/", {"text": "hi"}).status_code == 403
    outsider = signed_in(_scoped_manager("carewell"))
    assert outsider.get(url).status_code == 404
    assert outsider.post(url + "note/", {"text": "hi"}).status_code == 404
    data = {"rule": "contract", "client": "northbank"}
    assert outsider.post(url + "notify/", data).status_code == 404
    assert _events("incident.note", incident.ref) == 0
    assert _events("incident.notify", incident.ref) == 0
    insider = signed_in(_scoped_manager("northbank"))
    assert insider.post(url + "note/", {"text": "seen by northbank"}).status_code == 302
    assert _events("incident.note", incident.ref) == 1
