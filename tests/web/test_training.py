"""The training page: per client, each person's standing per required course; filters, export."""

from __future__ import annotations

import re
from typing import Any

import pytest


def _rows(slug: str | None) -> list[dict[str, Any]]:
    """Return what `dataward training status` lists, the oracle of the page."""
    from dataward.training import service
    from dataward.web.app import served

    assert served.ws is not None
    return service.status_rows(served.ws, slug)


def _count(body: str) -> int:
    found = re.search(r"page \d+ of \d+ · (\d+) rows", body)
    assert found, body[:300]
    return int(found.group(1))


def test_everyone_for_operation_wide_users(signed_in) -> None:  # type: ignore[no-untyped-def]
    response = signed_in("demo-manager").get("/training/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Training · everyone" in body
    assert "Required courses" in body
    assert "Never completed" in body
    assert _count(body) == len(_rows(None))
    assert '<option value="">everyone</option>' in body


def test_viewer_sees_only_their_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("viewer-telora")
    body = browser.get("/training/").content.decode()
    assert "Training · Telora Mobile" in body
    assert _count(body) == len(_rows("telora"))
    assert "PCI DSS" not in body
    assert "HIPAA" not in body
    assert "everyone</option>" not in body
    csv = b"".join(browser.get("/training/?export=csv").streaming_content).decode()
    clients = {line.split(",")[3] for line in csv.splitlines()[1:]}
    assert clients <= {"telora", "(everyone)"}
    assert len(csv.splitlines()) == len(_rows("telora")) + 1


@pytest.mark.parametrize("query", ["?client=northbank", "?client=nosuchclient"])
def test_other_client_is_not_found(signed_in, query: str) -> None:  # type: ignore[no-untyped-def]
    assert signed_in("viewer-telora").get(f"/training/{query}").status_code == 404


def test_state_and_course_filters(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-auditor")
    overdue = [r for r in _rows(None) if r["state"] == "overdue"]
    assert overdue, "the demo plants overdue training"
    body = browser.get("/training/?state=overdue").content.decode()
    assert _count(body) == len(overdue)
    assert all(r["employee_id"] in body for r in overdue[:10])
    gdpr = [r for r in _rows("telora") if r["course"] == "gdpr"]
    body = browser.get("/training/?client=telora&course=gdpr").content.decode()
    assert _count(body) == len(gdpr)
    body = browser.get("/training/?course=not-a-course").content.decode()
    assert _count(body) == len(_rows(None))  # an unknown choice is ignored, not an error


def test_search_sort_and_pages(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-analyst")
    rows = _rows(None)
    person = rows[0]
    body = browser.get("/training/", {"q": person["employee_id"]}).content.decode()
    assert _count(body) == sum(r["employee_id"] == person["employee_id"] for r in rows)
    csv = b"".join(browser.get("/training/?export=csv&sort=-days").streaming_content).decode()
    cells = [line.split(",")[7] for line in csv.splitlines()[1:]]
    days = [int(c.lstrip("'")) for c in cells if c]  # tables.py guards a leading '-' with '
    assert any(d < 0 for d in days)
    assert days == sorted(days, reverse=True)
    assert len(rows) > 50
    page2 = browser.get("/training/?page=2").content.decode()
    assert "page 2 of" in page2
    partial = browser.get(
        "/training/?page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-training-everyone"
    ).content.decode()
    assert "page 2 of" in partial
    assert "<html" not in partial
    assert "Required courses" not in partial


def test_counts_per_course(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.training import service

    body = signed_in("demo-manager").get("/training/?client=carewell").content.decode()
    for c in service.course_counts(_rows("carewell")):
        cells = "".join(f'<td class="num">{c[k]}</td>' for k in ("people", "current", "due_soon"))
        assert f"<td>{c['title']}</td>{cells}" in body


def test_scoped_manager_starts_on_first_client(signed_in, served) -> None:  # type: ignore[no-untyped-def]
    from dataward.core import users
    from dataward.core.models import User
    from dataward.web.app import served as state

    if not User.objects.filter(username="training-two-clients").exists():
        users.add(state.ws, "training-two-clients", "manager", ["telora", "carewell"])  # type: ignore[arg-type]
    browser = signed_in("training-two-clients")
    body = browser.get("/training/").content.decode()
    assert "Training · Carewell Health Insurance" in body  # first in slug order
    assert "everyone</option>" not in body
    assert 'value="telora"' in body
    assert browser.get("/training/?client=telora").status_code == 200
    assert browser.get("/training/?client=northbank").status_code == 404


def test_rows_are_reused_until_something_changes(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.core import audit
    from dataward.training import service
    from dataward.web.app import served as state

    ws = state.ws
    assert ws is not None
    first = service.status_rows_reused(ws, "telora")
    assert service.status_rows_reused(ws, "telora") is first
    assert first == service.status_rows(ws, "telora")
    audit.record(ws, "test.touch", None, "test", "training-reuse")
    again = service.status_rows_reused(ws, "telora")
    assert again is not first
    assert again == first


def test_reused_rows_still_check_permission(served) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from dataward.core.users import principal_for
    from dataward.errors import PermissionDeniedError
    from dataward.training import service
    from dataward.web.app import served as state

    ws = state.ws
    assert ws is not None
    service.status_rows_reused(ws, "northbank")  # kept for the admin
    viewer = replace(ws, actor=principal_for("viewer-telora"))
    with pytest.raises(PermissionDeniedError):
        service.status_rows_reused(viewer, "northbank")
    with pytest.raises(PermissionDeniedError):
        service.status_rows_reused(viewer, None)


def test_menu_entry(signed_in) -> None:  # type: ignore[no-untyped-def]
    body = signed_in("viewer-carewell").get("/training/").content.decode()
    assert '<a href="/training/" aria-current="page">Training</a>' in body
