"""The access API: listings in scope, and a review campaign decided end to end."""

from __future__ import annotations

from typing import Any

from django.test import Client


def _auth(username: str, **kwargs: Any) -> dict[str, str]:
    from dataward.web import tokens
    from dataward.web.app import served

    text = tokens.create(served.ws, username, "test", **kwargs)[1]  # type: ignore[arg-type]
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def _get(url: str, auth: dict[str, str], **params: Any) -> Any:
    return Client().get(f"/api/v1/access{url}", params, **auth)


def _post(url: str, auth: dict[str, str], body: Any = None) -> Any:
    return Client().post(
        f"/api/v1/access{url}", body or {}, content_type="application/json", **auth
    )


def test_violations_are_those_of_the_clients_in_scope(served) -> None:  # type: ignore[no-untyped-def]
    everyone = _get("/violations", _auth("demo-auditor"), limit=500).json()
    assert {v["client"] for v in everyone["items"]} == {
        "operation",
        "northbank",
        "carewell",
        "telora",
    }
    viewer = _auth("viewer-northbank")
    mine = _get("/violations", viewer, limit=500).json()["items"]
    assert mine
    assert {v["client"] for v in mine} == {"northbank"}
    rule = _get("/violations", viewer, rule="access_within_role").json()["items"]
    assert [v["subject"] for v in rule] == ["adomingo"]
    assert _get("/violations", viewer, client="carewell").status_code == 404
    live = _get("/violations/live", viewer).json()["items"]
    assert "adomingo" in {v["subject"] for v in live}
    assert {v["client"] for v in live} == {"northbank"}


def test_people_accounts_and_entitlements(served) -> None:  # type: ignore[no-untyped-def]
    viewer = _auth("viewer-northbank")
    people = _get("/people", viewer, limit=100).json()
    assert people["count"] == 25
    assert {tuple(p["clients"]) for p in people["items"]} == {("northbank",)}
    assert _get("/people", _auth("demo-admin")).json()["count"] == 60
    assert _get("/accounts", viewer).status_code == 403
    accounts = _get("/accounts", _auth("demo-auditor"), limit=500).json()["items"]
    assert "dsavant" in {a["username"] for a in accounts}
    grants = _get("/entitlements", viewer, limit=500).json()["items"]
    assert grants
    assert all(g["system"].startswith("northbank_") for g in grants)


def test_campaign_listing_and_items(served) -> None:  # type: ignore[no-untyped-def]
    viewer = _auth("viewer-northbank")
    campaigns = _get("/reviews", viewer).json()["items"]
    demo = next(c for c in campaigns if c["name"] == "northbank quarterly access review")
    assert (demo["items"], demo["pending"], demo["revoke"]) == (36, 0, 3)
    url = f"/reviews/northbank/{demo['id']}"
    assert _get(url, viewer).json()["status"] == "closed"
    items = _get(f"{url}/items", viewer, limit=5).json()
    assert items["count"] == 36
    assert [i["number"] for i in items["items"]] == [1, 2, 3, 4, 5]
    assert len(_get(f"{url}/revocations", viewer).json()["items"]) == 3
    assert _get("/reviews", _auth("viewer-carewell"), client="northbank").status_code == 404
    assert _get(url, _auth("viewer-carewell")).status_code == 404


def _scoped_manager(name: str, slug: str) -> None:
    from dataward.core import users
    from dataward.core.models import User
    from dataward.web.app import served

    if not User.objects.filter(username=name).exists():
        users.add(served.ws, name, "manager", [slug])  # type: ignore[arg-type]


def test_review_decided_end_to_end(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.access.models import ReviewItem
    from dataward.core.models import AuditEvent

    manager = _auth("demo-manager")
    response = _post("/reviews", manager, {"client": "carewell", "name": "api review e2e"})
    assert response.status_code == 201, response.content
    camp = response.json()
    assert camp["client"] == "carewell"
    assert camp["pending"] == camp["items"] > 3
    url = f"/reviews/carewell/{camp['id']}"
    items = ReviewItem.objects.unscoped("test").filter(campaign_id=camp["id"])

    # decide: state changed, audit event recorded
    response = _post(f"{url}/decisions", manager, {"decision": "certify", "items": [1, 2]})
    assert response.status_code == 200
    assert response.json() == {"decided": 2}
    assert set(items.filter(number__in=[1, 2]).values_list("decision", flat=True)) == {"certify"}
    event = AuditEvent.objects.filter(action="access.review.certify", object_id=f"{camp['id']}/2")
    assert event.get().actor == "demo-manager"
    assert event.get().client == "carewell"
    refused = _post(f"{url}/decisions", manager, {"decision": "revoke", "items": [3]})
    assert refused.status_code == 400
    assert "needs a reason" in refused.json()["message"]

    # viewers, auditors and read-only tokens may not decide; a manager elsewhere gets 404
    body = {"decision": "certify", "items": [3]}
    for auth in (
        _auth("viewer-carewell"),
        _auth("demo-auditor"),
        _auth("demo-manager", read_only=True),
    ):
        response = _post(f"{url}/decisions", auth, body)
        assert response.status_code == 403, response.content
    _scoped_manager("api-manager-telora", "telora")
    elsewhere = _auth("api-manager-telora")
    assert _post(f"{url}/decisions", elsewhere, body).status_code == 404
    assert _post(f"{url}/close", elsewhere).status_code == 404
    assert _get(f"{url}/items", elsewhere).status_code == 404
    assert _post("/reviews", elsewhere, {"client": "carewell"}).status_code == 404
    assert items.get(number=3).decision == "pending"

    # close waits for every item, then lists the revocations
    assert _post(f"{url}/close", manager).status_code == 400
    revoke = {"decision": "revoke", "items": [3], "comment": "no longer on the account"}
    assert _post(f"{url}/decisions", manager, revoke).json() == {"decided": 1}
    rest = list(items.filter(decision="pending").values_list("number", flat=True))
    assert (
        _post(f"{url}/decisions", manager, {"decision": "certify", "items": rest}).status_code
        == 200
    )
    assert _post(f"{url}/close", manager).json() == {"revocations": 1}
    assert _get(url, manager).json()["status"] == "closed"
    assert [r["item"] for r in _get(f"{url}/revocations", manager).json()["items"]] == [3]
    assert AuditEvent.objects.filter(
        action="access.review.close", object_id=str(camp["id"])
    ).exists()


def test_texts_longer_than_their_columns_are_refused(served) -> None:  # type: ignore[no-untyped-def]
    """Regression: a 201-character name or new permission was stored on SQLite and was a 500 on
    PostgreSQL (the page checked the name's length; the API did not)."""
    from dataward.access.models import ReviewCampaign

    manager = _auth("demo-manager")
    before = ReviewCampaign.objects.unscoped("test").count()
    response = _post("/reviews", manager, {"client": "telora", "name": "n" * 201})
    assert response.status_code == 422
    assert ReviewCampaign.objects.unscoped("test").count() == before
    camp = _post("/reviews", manager, {"client": "telora", "name": "api length test"}).json()
    modify = {"decision": "modify", "items": [1], "comment": "narrow", "new_permission": "p" * 201}
    response = _post(f"/reviews/telora/{camp['id']}/decisions", manager, modify)
    assert response.status_code == 422
    assert _get(f"/reviews/telora/{camp['id']}", manager).json()["pending"] == camp["items"]


def test_an_offset_past_what_the_database_takes_is_refused(served) -> None:  # type: ignore[no-untyped-def]
    """Regression: ninja's LimitOffsetPagination passed ?offset=2**63 to the database: a 500."""
    viewer = _auth("viewer-northbank")
    for url in ("/violations", "/people", "/entitlements", "/reviews"):
        assert _get(url, viewer, offset=2**63).status_code == 422, url
        assert _get(url, viewer, offset=10**6).json()["items"] == [], url
