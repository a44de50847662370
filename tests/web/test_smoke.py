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


def test_nul_in_input_is_refused_before_the_database(signed_in) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL refuses NUL in text, so a NUL in a query or form would be a 500 there."""
    browser = signed_in("demo-admin")
    for url in (
        "/audit/?q=a%00b",
        "/audit/?page=1&x%00=1",
        "/risks/?owner=%00",
        "/controls/a%00/b/",
    ):
        response = browser.get(url)
        assert response.status_code == 400, url
        assert b"value holds a NUL character" in response.content
    assert Client().get("/login/?next=%00").status_code == 400  # public pages too
    assert (
        Client().post("/login/", {"username": "demo-admin\x00", "password": "x"}).status_code == 400
    )


def test_a_value_the_database_refuses_is_a_400(signed_in, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A value too long for its column (a DataError on PostgreSQL) is the user's input: 400."""
    from django.db import DataError

    from dataward.risks import service
    from dataward.risks.models import Risk

    def too_long(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise DataError("value too long for type character varying(254)")

    monkeypatch.setattr(service, "update", too_long)
    risk = Risk.objects.unscoped("test").filter(client__slug="telora").first()
    assert risk is not None
    response = signed_in("demo-admin").post(f"/risks/{risk.pk}/update/", {"owner": "x" * 300})
    assert response.status_code == 400
    assert b"cannot store" in response.content
    assert b"character varying" not in response.content  # the database's words stay in the log


def test_script_name_cannot_make_a_page_look_public(served) -> None:  # type: ignore[no-untyped-def]
    """gunicorn takes SCRIPT_NAME from a loopback peer's header; the page is still guarded."""
    for prefix in ("/api", "/login", "/static"):
        response = Client().get("/audit/", SCRIPT_NAME=prefix)
        assert response.status_code == 302, prefix
        assert "/login/?next=" in response["Location"]
    from gunicorn.config import Config

    from dataward.web.server import options

    config = Config()
    for key, value in options("127.0.0.1", 8000, 2).items():
        config.set(key, value)
    assert config.forwarder_headers == []  # gunicorn would take them from any loopback peer


def test_nul_in_a_json_body_is_a_400_not_a_database_error(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.web import tokens
    from dataward.web.app import served as state

    assert state.ws is not None
    text = tokens.create(state.ws, "demo-admin", "nul")[1]
    response = Client().post(
        "/api/v1/incidents/",
        '{"title": "a\\u0000b", "client": ["telora"]}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {text}",
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["message"]
