"""The API's tokens: created once, shown once, scoped, revocable; no token, no data."""

from __future__ import annotations

from django.test import Client


def _token(username: str, **kwargs) -> str:  # type: ignore[no-untyped-def]
    from dataward.web import tokens
    from dataward.web.app import served

    assert served.ws is not None
    return tokens.create(served.ws, username, "test", **kwargs)[1]


def test_token_reads_audit_events(served) -> None:  # type: ignore[no-untyped-def]
    text = _token("demo-auditor")
    response = Client().get("/api/v1/audit/events?limit=5", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] > 5
    assert len(body["items"]) == 5


def test_no_token_or_revoked_token_is_refused(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.web import tokens
    from dataward.web.app import served as state

    assert Client().get("/api/v1/audit/events").status_code == 401
    text = _token("demo-auditor")
    tokens.revoke(state.ws, text[:11])
    response = Client().get("/api/v1/audit/events", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert response.status_code == 401


def test_viewer_token_may_not_read_the_trail(served) -> None:  # type: ignore[no-untyped-def]
    text = _token("viewer-northbank")
    response = Client().get("/api/v1/audit/events?limit=1000", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert response.status_code == 403  # a client-viewer may not read the audit trail
    assert response.json()["code"] == "PermissionDeniedError"
