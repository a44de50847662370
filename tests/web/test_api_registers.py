"""API listings of the encryption registers and the log sources, scoped like every register."""

from __future__ import annotations

import pytest
from django.test import Client

ROUTES = (
    "/api/v1/encryption/endpoints",
    "/api/v1/encryption/results",
    "/api/v1/encryption/channels",
    "/api/v1/encryption/locations",
    "/api/v1/monitoring/sources",
)


def _get(served, username: str, url: str, **params: str):  # type: ignore[no-untyped-def]
    from dataward.web import tokens
    from dataward.web.app import served as state

    text = tokens.create(state.ws, username, "registers")[1]  # type: ignore[arg-type]
    return Client().get(url, {"limit": 1000, **params}, HTTP_AUTHORIZATION=f"Bearer {text}")


@pytest.mark.parametrize("url", ROUTES)
def test_admin_lists_every_client_and_a_viewer_only_theirs(served, url: str) -> None:  # type: ignore[no-untyped-def]
    everyone = _get(served, "demo-admin", url)
    assert everyone.status_code == 200
    clients = {row["client"] for row in everyone.json()["items"]}
    mine = _get(served, "viewer-telora", url)
    assert mine.status_code == 200
    assert {row["client"] for row in mine.json()["items"]} <= {"telora"}
    if url.endswith(("endpoints", "channels", "locations")):  # registers of several clients
        assert len(clients - {"operation"}) >= 2, clients
    elif url.endswith("sources"):  # the demo's log sources belong to the operation
        assert clients == {"operation"}


@pytest.mark.parametrize("url", [r for r in ROUTES if "monitoring" not in r])
def test_another_clients_slug_is_a_404_like_a_made_up_one(served, url: str) -> None:  # type: ignore[no-untyped-def]
    assert _get(served, "viewer-telora", url, client="carewell").status_code == 404
    assert _get(served, "viewer-telora", url, client="no-such").status_code == 404
    only = _get(served, "demo-admin", url, client="carewell").json()["items"]
    assert {row["client"] for row in only} <= {"carewell"}


def test_channel_verdicts_show_the_planted_plain_ftp_feed(served) -> None:  # type: ignore[no-untyped-def]
    rows = _get(served, "demo-admin", "/api/v1/encryption/channels").json()["items"]
    assert any(r["protocol"] == "ftp" and r["status"] == "fail" for r in rows)
    assert any(r["status"] == "pass" for r in rows)
