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


def test_schema_names_are_unique_across_api_modules() -> None:
    """Two routers with a schema of one name would silently share one OpenAPI component."""
    import importlib

    from ninja import Schema

    from dataward.plugins import walk_modules

    owners: dict[str, str] = {}
    for path in walk_modules("dataward.web.api"):
        module = importlib.import_module(path)
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == path:
                assert name not in owners, f"schema {name}: {owners[name]} and {path}"
                owners[name] = path
    assert len(owners) > 10


def test_nul_in_a_query_is_a_400_not_a_database_error(served) -> None:  # type: ignore[no-untyped-def]
    text = _token("demo-auditor")
    response = Client().get("/api/v1/risks/?owner=%00", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert response.status_code == 400
    assert response.json() == {
        "code": "BadRequest",
        "message": "a value holds a NUL character",
        "where": None,
    }


def test_a_value_the_database_refuses_is_a_400(served, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.db import DataError

    from dataward.risks import service
    from dataward.risks.models import Risk

    def too_long(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise DataError("value too long for type character varying(254)")

    monkeypatch.setattr(service, "update", too_long)
    risk = Risk.objects.unscoped("test").filter(client__slug="telora").first()
    assert risk is not None
    text = _token("demo-analyst")
    response = Client().patch(
        f"/api/v1/risks/{risk.pk}",
        {"owner": "x" * 300},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {text}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "BadRequest"
    assert "character varying" not in response.json()["message"]


def test_read_only_token_is_refused_any_unsafe_method(served) -> None:  # type: ignore[no-untyped-def]
    """A write route that forgot api_ws(write=True) is still closed to a read-only token."""
    import pytest
    from django.test import RequestFactory

    from dataward.errors import PermissionDeniedError
    from dataward.web.api import TokenAuth

    text = _token("demo-analyst", read_only=True)
    auth = TokenAuth()
    for method in ("post", "put", "patch", "delete"):
        request = getattr(RequestFactory(), method)("/api/v1/risks/1")
        with pytest.raises(PermissionDeniedError, match="read-only"):
            auth.authenticate(request, text)
    assert auth.authenticate(RequestFactory().get("/api/v1/risks/"), text) is not None
    writer = _token("demo-analyst")
    assert auth.authenticate(RequestFactory().post("/api/v1/risks/1"), writer) is not None


def test_huge_offset_or_limit_is_a_422_not_a_500(served) -> None:  # type: ignore[no-untyped-def]
    """A database cannot take an OFFSET past 2**63: the bounds are checked before the query."""
    from dataward.retention.models import DisposalPlan

    plan = DisposalPlan.objects.unscoped("test").first()
    assert plan is not None
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token('demo-admin')}"}
    huge = "99999999999999999999"
    for url in (
        f"/api/v1/audit/events?offset={huge}",
        f"/api/v1/audit/events?limit={huge}",
        f"/api/v1/retention/plans/{plan.pk}/items?offset={huge}",
        "/api/v1/risks/?limit=10001",
    ):
        response = Client().get(url, **auth)
        assert response.status_code == 422, url
    fine = Client().get("/api/v1/audit/events?offset=9007199254740992&limit=10000", **auth)
    assert fine.status_code == 200
    assert fine.json()["items"] == []
