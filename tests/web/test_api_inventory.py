"""API: the clients in scope, the data inventory and findings, scoped to the token's user."""

from __future__ import annotations

from typing import Any

from django.test import Client


def _get(username: str, url: str, **kwargs: Any) -> Any:
    from dataward.web import tokens
    from dataward.web.app import served

    assert served.ws is not None
    text = tokens.create(served.ws, username, "test", **kwargs)[1]
    return Client().get(url, HTTP_AUTHORIZATION=f"Bearer {text}")


def test_clients_in_scope(served) -> None:  # type: ignore[no-untyped-def]
    body = _get("demo-auditor", "/api/v1/clients/clients").json()
    assert [c["slug"] for c in body["items"]] == ["carewell", "northbank", "telora"]
    assert body["count"] == 3
    assert "security_contact" not in body["items"][0]
    mine = _get("viewer-telora", "/api/v1/clients/clients").json()
    assert [c["slug"] for c in mine["items"]] == ["telora"]


def test_locations_are_paginated_and_scoped(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.discovery.models import Location

    present = Location.objects.unscoped("test oracle").filter(present=True, client__kind="client")
    body = _get("demo-manager", "/api/v1/inventory/locations?limit=5").json()
    assert body["count"] == present.count()
    assert len(body["items"]) == 5
    assert {"id", "client", "location", "owner", "findings_total"} <= set(body["items"][0])
    mine = _get("viewer-northbank", "/api/v1/inventory/locations?limit=1000").json()
    assert mine["count"] == present.filter(client__slug="northbank").count()
    assert {row["client"] for row in mine["items"]} == {"northbank"}
    refused = _get("viewer-northbank", "/api/v1/inventory/locations?client=carewell")
    assert refused.status_code == 404


def test_findings_filter_and_never_carry_values(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.discovery.models import Finding

    found = Finding.objects.unscoped("test oracle").filter(
        client__slug="carewell", entity_type="EMAIL_ADDRESS"
    )
    url = "/api/v1/inventory/findings?client=carewell&entity_type=EMAIL_ADDRESS&limit=500"
    body = _get("demo-analyst", url, read_only=True).json()
    assert body["count"] == found.count() > 0
    for row in body["items"]:
        assert row["client"] == "carewell"
        assert row["entity_type"] == "EMAIL_ADDRESS"
        assert "***@" in row["preview"]
        assert row["fingerprint"].startswith("fp1:")
        assert "value" not in row
    assert _get("viewer-telora", "/api/v1/inventory/findings?client=carewell").status_code == 404
    telora = _get("viewer-telora", "/api/v1/inventory/findings?limit=1000").json()
    assert {row["client"] for row in telora["items"]} == {"telora"}


def test_inventory_items(served) -> None:  # type: ignore[no-untyped-def]
    body = _get("demo-admin", "/api/v1/inventory/items?client=northbank&limit=1000").json()
    assert body["count"] > 0
    assert {row["client"] for row in body["items"]} == {"northbank"}
    assert {True, False} == {row["approved"] for row in body["items"]}


def test_no_token_no_inventory(served) -> None:  # type: ignore[no-untyped-def]
    for url in ("/api/v1/inventory/findings", "/api/v1/clients/clients"):
        assert Client().get(url).status_code == 401
