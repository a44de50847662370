"""The skeleton: sign-in, MFA, the audit page, a table export."""

from __future__ import annotations

from django.test import Client


def test_audit_page_for_admin(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-admin")
    response = browser.get("/audit/")
    assert response.status_code == 200
    assert b"Audit trail" in response.content
    response = browser.get("/audit/?export=csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"#,When")


def test_anonymous_is_sent_to_sign_in(served) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
