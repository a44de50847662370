"""The vendors, training and account API: scoped listings, pages, one vendor, own tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

ONLY_NORTHBANK = "ShieldPay Tokenisation"


def _get(username: str, url: str, **params: Any) -> Any:
    from dataward.web import tokens
    from dataward.web.app import served

    text = tokens.create(served.ws, username, "api test", read_only=True)[1]  # type: ignore[arg-type]
    return Client().get(url, params, HTTP_AUTHORIZATION=f"Bearer {text}")


def _vendor_pk(name: str) -> int:
    from dataward.core.clients import ensure_operation
    from dataward.vendors.models import Vendor
    from dataward.web.app import served

    return Vendor.objects.for_client(ensure_operation(served.ws)).get(name=name).pk  # type: ignore[arg-type]


def test_vendors_listing_is_paged(served) -> None:  # type: ignore[no-untyped-def]
    body = _get("demo-auditor", "/api/v1/vendors/", limit=2, offset=1).json()
    assert body["count"] == 6
    assert len(body["items"]) == 2
    first = body["items"][0]
    assert {"id", "vendor", "tier", "clients", "score", "gaps", "review", "dpa_signed"} <= set(
        first
    )


def test_vendors_listing_for_a_viewer(served) -> None:  # type: ignore[no-untyped-def]
    body = _get("viewer-telora", "/api/v1/vendors/", limit=100).json()
    names = {v["vendor"] for v in body["items"]}
    assert "VaultBox Offsite Archive" in names
    assert ONLY_NORTHBANK not in names
    assert all(v["clients"] == ["telora"] for v in body["items"])
    assert _get("viewer-telora", "/api/v1/vendors/", client="northbank").status_code == 403


@pytest.mark.parametrize(
    ("params", "expected"),
    [({"client": "telora"}, 4), ({"review": "overdue"}, 1), ({"tier": "low"}, 0)],
)
def test_vendors_filters(served, params: dict[str, str], expected: int) -> None:  # type: ignore[no-untyped-def]
    assert _get("demo-manager", "/api/v1/vendors/", **params).json()["count"] == expected


def test_one_vendor(served) -> None:  # type: ignore[no-untyped-def]
    pk = _vendor_pk(ONLY_NORTHBANK)
    body = _get("viewer-northbank", f"/api/v1/vendors/{pk}").json()
    assert body["vendor"] == ONLY_NORTHBANK
    assert body["id"] == pk
    assert body["questionnaire"]
    assert body["responsibilities"]
    assert _get("viewer-telora", f"/api/v1/vendors/{pk}").status_code == 404
    assert _get("demo-admin", "/api/v1/vendors/999999").status_code == 404


def _status(slug: str | None) -> list[dict[str, Any]]:
    from dataward.training import service
    from dataward.web.app import served

    return service.status_rows(served.ws, slug)  # type: ignore[arg-type]


def test_training_status_is_paged_and_filtered(served) -> None:  # type: ignore[no-untyped-def]
    rows = _status(None)
    body = _get("demo-manager", "/api/v1/training/status", limit=10, offset=10).json()
    assert body["count"] == len(rows)
    assert len(body["items"]) == 10
    assert body["items"][0]["employee_id"] == rows[10]["employee_id"]
    overdue = _get("demo-manager", "/api/v1/training/status", state="overdue").json()
    assert overdue["count"] == sum(r["state"] == "overdue" for r in rows) > 0
    gdpr = _get("demo-manager", "/api/v1/training/status", client="telora", course="gdpr").json()
    assert gdpr["count"] == sum(r["course"] == "gdpr" for r in _status("telora"))


def test_training_status_for_a_viewer(served) -> None:  # type: ignore[no-untyped-def]
    mine = _get("viewer-telora", "/api/v1/training/status").json()  # their one client
    assert mine["count"] == len(_status("telora"))
    assert _get("viewer-telora", "/api/v1/training/status", client="northbank").status_code == 403
    body = _get("viewer-telora", "/api/v1/training/status", client="telora", limit=1000).json()
    assert body["count"] == len(_status("telora"))
    assert {i["client"] for i in body["items"]} == {"telora", None}  # None: workforce-wide


def test_training_requirements(served) -> None:  # type: ignore[no-untyped-def]
    body = _get("viewer-carewell", "/api/v1/training/requirements").json()
    assert {(r["course"], r["client"]) for r in body["items"]} == {
        ("security-awareness", None),
        ("hipaa", "carewell"),
    }
    assert _get("demo-auditor", "/api/v1/training/requirements").json()["count"] == 4


def test_own_tokens_only_never_the_text(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.web import tokens
    from dataward.web.app import served as state

    mine, text = tokens.create(state.ws, "viewer-northbank", "mine", read_only=True)  # type: ignore[arg-type]
    theirs, _ = tokens.create(state.ws, "demo-auditor", "theirs")  # type: ignore[arg-type]
    response = Client().get(
        "/api/v1/account/tokens", {"limit": 1000}, HTTP_AUTHORIZATION=f"Bearer {text}"
    )
    assert response.status_code == 200
    items = response.json()["items"]
    prefixes = {i["prefix"] for i in items}
    assert mine.prefix in prefixes
    assert theirs.prefix not in prefixes
    assert text not in response.content.decode()
    assert {i["state"] for i in items} <= {"live", "revoked", "expired"}
    refused = Client().get(
        "/api/v1/account/tokens", {"client": "carewell"}, HTTP_AUTHORIZATION=f"Bearer {text}"
    )
    assert refused.status_code == 403


def test_admin_lists_only_own_tokens(served) -> None:  # type: ignore[no-untyped-def]
    items = _get("demo-admin", "/api/v1/account/tokens", limit=1000).json()["items"]
    assert items
    assert {i["name"] for i in items} >= {"api test"}
    from dataward.web.models import ApiToken

    own = {t.prefix for t in ApiToken.objects.filter(user__username="demo-admin")}
    assert {i["prefix"] for i in items} == own


def test_no_token_creation_over_the_api(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.web import tokens
    from dataward.web.app import served as state

    text = tokens.create(state.ws, "demo-admin", "no create")[1]  # type: ignore[arg-type]
    response = Client().post(
        "/api/v1/account/tokens", {}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {text}",
    )  # fmt: skip
    assert response.status_code == 405
