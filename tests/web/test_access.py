"""The access pages: violations, people, accounts, entitlements, and review campaigns."""

from __future__ import annotations

import csv
import io

import pytest

VIEWERS = ("demo-admin", "demo-analyst", "demo-manager", "demo-auditor", "viewer-northbank")


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("user", VIEWERS)
def test_access_pages_render_for_every_role(signed_in, user) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in(user)
    for url in ("/access/", "/access/people/", "/access/entitlements/", "/access/reviews/"):
        response = browser.get(url)
        assert response.status_code == 200, url
        assert b'aria-current="page">Access' in response.content  # the menu entry


def test_violations_are_the_stored_results_of_the_clients_in_scope(signed_in) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in("demo-admin").get("/access/").content.decode()
    assert "adomingo" in admin
    assert "jsalazar" in admin
    assert "dsavant" in admin
    viewer = signed_in("viewer-northbank")
    body = viewer.get("/access/").content.decode()
    assert "adomingo" in body  # northbank's
    assert "jsalazar" not in body
    assert "dsavant" not in body
    assert viewer.get("/access/?client=carewell").status_code == 404


def test_violations_filter_sort_and_export(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-auditor")
    body = browser.get("/access/?rule=access_within_role").content.decode()
    assert "adomingo" in body
    assert "jsalazar" not in body
    rows = _csv(browser.get("/access/?client=carewell&sort=-subject&export=csv"))
    assert rows[0][:3] == ["Client", "Rule", "Status"]
    assert {r[0] for r in rows[1:]} == {"carewell"}
    subjects = [r[4] for r in rows[1:]]
    assert subjects == sorted(subjects, reverse=True)
    assert "jsalazar" in subjects
    partial = browser.get(
        "/access/?status=fail", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-access-violations"
    )
    assert partial.status_code == 200
    assert b"<html" not in partial.content


def test_violations_evaluated_now_for_one_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("viewer-northbank")
    body = browser.get("/access/?live=1").content.decode()  # the first (only) client in scope
    assert "evaluated now for Northbank" in body
    assert "adomingo" in body
    assert "jsalazar" not in body


def test_people_of_one_client_name_no_other_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    rows = _csv(signed_in("viewer-northbank").get("/access/people/?export=csv"))
    assert len(rows) - 1 == 25  # what `dataward access people --client northbank` lists
    clients = rows[0].index("Clients")
    assert {r[clients] for r in rows[1:]} == {"northbank"}
    everyone = _csv(signed_in("demo-admin").get("/access/people/?export=csv"))
    assert len(everyone) - 1 == 60
    assert any("carewell" in r[clients] and "northbank" in r[clients] for r in everyone)


def test_people_filters_and_search(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-manager")
    rows = _csv(browser.get("/access/people/?status=terminated&export=csv"))
    assert len(rows) > 1
    assert {r[2] for r in rows[1:]} == {"terminated"}
    rows = _csv(browser.get("/access/people/?q=E10115&export=csv"))
    assert [r[0] for r in rows[1:]] == ["E10115"]


def test_directory_accounts_are_for_operation_wide_users(signed_in) -> None:  # type: ignore[no-untyped-def]
    response = signed_in("demo-auditor").get("/access/accounts/?privileged=True")
    assert response.status_code == 200
    assert b"dsavant" in response.content
    assert signed_in("viewer-northbank").get("/access/accounts/").status_code == 403
    assert b"Directory accounts" not in signed_in("viewer-northbank").get("/access/").content


def test_entitlements_of_the_client_in_scope(signed_in) -> None:  # type: ignore[no-untyped-def]
    rows = _csv(signed_in("viewer-northbank").get("/access/entitlements/?export=csv"))
    assert len(rows) > 1
    assert all(r[0].startswith("northbank_") for r in rows[1:])
    rows = _csv(signed_in("demo-admin").get("/access/entitlements/?client=telora&export=csv"))
    assert all(r[0].startswith("telora_") for r in rows[1:])


def _demo_campaign() -> tuple[str, int]:
    from dataward.access.models import ReviewCampaign

    camp = ReviewCampaign.objects.unscoped("test").get(name="northbank quarterly access review")
    return camp.client.slug, camp.pk


def test_campaign_list_and_page_read_only_for_auditors(signed_in) -> None:  # type: ignore[no-untyped-def]
    slug, pk = _demo_campaign()
    assert (
        b"northbank quarterly access review"
        in signed_in("demo-auditor").get("/access/reviews/").content
    )
    assert (
        b"northbank quarterly" not in signed_in("viewer-carewell").get("/access/reviews/").content
    )
    page = signed_in("demo-auditor").get(f"/access/reviews/{slug}/{pk}/")
    assert page.status_code == 200
    assert b"Jermaine Rice" in page.content
    assert b"hx-post" not in page.content
    assert b"data-select-all" not in page.content
    assert b"Start a campaign" not in signed_in("demo-auditor").get("/access/reviews/").content
    assert signed_in("viewer-carewell").get(f"/access/reviews/{slug}/{pk}/").status_code == 404
    rows = _csv(
        signed_in("viewer-northbank").get(f"/access/reviews/{slug}/{pk}/revocations/?export=csv")
    )
    assert len(rows) - 1 == 3  # the demo campaign's three revocations


def _scoped_manager(name: str, slug: str) -> None:
    from dataward.core import users
    from dataward.core.models import User
    from dataward.web.app import served

    if not User.objects.filter(username=name).exists():
        users.add(served.ws, name, "manager", [slug])  # type: ignore[arg-type]


def _events(action: str, object_id: str) -> int:
    from dataward.core.models import AuditEvent

    return int(AuditEvent.objects.filter(action=action, object_id=object_id).count())


def test_review_campaign_end_to_end(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.access.models import ReviewCampaign, ReviewItem

    manager = signed_in("demo-manager")
    start = {"client": "telora", "name": "web review e2e", "due": "2026-12-31"}
    response = manager.post("/access/reviews/start/", start)
    camp = ReviewCampaign.objects.unscoped("test").get(name="web review e2e")
    url = f"/access/reviews/telora/{camp.pk}/"
    assert response.status_code == 302
    assert response["Location"] == url
    assert _events("access.review.start", str(camp.pk)) == 1
    items = ReviewItem.objects.unscoped("test").filter(campaign=camp)
    page = manager.get(url).content
    assert b"data-select-all" in page
    assert b"hx-post" in page

    # one click: certify item 1, the row comes back decided
    response = manager.post(f"{url}items/1/", {"decision": "certify"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<tr id="item-1" class="decision-certify"')
    assert items.get(number=1).decision == "certify"
    assert items.get(number=1).decided_by == "demo-manager"
    assert _events("access.review.certify", f"{camp.pk}/1") == 1

    # a revoke needs a reason: the row says so and nothing changes
    response = manager.post(f"{url}items/2/", {"decision": "revoke"}, HTTP_HX_REQUEST="true")
    assert b"needs a reason" in response.content
    assert items.get(number=2).decision == "pending"

    # in bulk, with the reason
    bulk = {
        "item": ["2", "3"],
        "decision": "revoke",
        "comment": "moved team",
        "back": "decision=pending",
    }
    response = manager.post(f"{url}decide/", bulk)
    assert response.status_code == 302
    assert response["Location"] == f"{url}?decision=pending"
    assert {i.decision for i in items.filter(number__in=[2, 3])} == {"revoke"}
    assert _events("access.review.revoke", f"{camp.pk}/3") == 1

    # roles that may not review, and a manager of another client, are refused
    assert (
        signed_in("demo-auditor")
        .post(f"{url}decide/", {"item": ["4"], "decision": "certify"})
        .status_code
        == 403
    )
    assert (
        signed_in("viewer-telora").post(f"{url}items/4/", {"decision": "certify"}).status_code
        == 403
    )
    _scoped_manager("web-manager-carewell", "carewell")
    other = signed_in("web-manager-carewell")
    assert other.post(f"{url}decide/", {"item": ["4"], "decision": "certify"}).status_code == 404
    assert other.post(f"{url}close/").status_code == 404
    assert other.get(url).status_code == 404
    assert items.get(number=4).decision == "pending"
    assert manager.get(f"{url}decide/").status_code == 405

    # closing waits for every decision
    manager.post(f"{url}close/")
    camp.refresh_from_db()
    assert camp.status == "open"
    rest = [str(n) for n in items.filter(decision="pending").values_list("number", flat=True)]
    manager.post(f"{url}decide/", {"item": rest, "decision": "certify"})
    assert manager.post(f"{url}close/").status_code == 302
    camp.refresh_from_db()
    assert camp.status == "closed"
    assert _events("access.review.close", str(camp.pk)) == 1
    assert b"hx-post" not in manager.get(url).content  # closed: read only
    rows = _csv(manager.get(f"{url}revocations/?export=csv"))
    assert sorted(int(r[0]) for r in rows[1:]) == [2, 3]


def test_bulk_decide_ignores_item_numbers_that_are_not_plain_digits(signed_in) -> None:  # type: ignore[no-untyped-def]
    """Regression: "\u00b2" passed str.isdigit(), then int() raised: a 500."""
    slug, pk = _demo_campaign()
    url = f"/access/reviews/{slug}/{pk}/"
    for junk in (["\u00b2"], ["\u0663"], ["9" * 5000]):
        response = signed_in("demo-manager").post(
            f"{url}decide/", {"item": junk, "decision": "certify"}
        )
        assert response.status_code == 302, junk
        assert response["Location"] == url


def test_campaign_list_reads_the_counts_with_the_campaigns(signed_in) -> None:  # type: ignore[no-untyped-def]
    """Regression: each listed campaign cost one more query (its progress counts)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dataward.access.models import ReviewCampaign

    manager = signed_in("demo-manager")

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert manager.get("/access/reviews/").status_code == 200
        return len(seen.captured_queries)

    before = queries()
    for n in (1, 2, 3):
        manager.post("/access/reviews/start/", {"client": "carewell", "name": f"count test {n}"})
    assert (
        ReviewCampaign.objects.unscoped("test").filter(name__startswith="count test").count() == 3
    )
    manager.get("/access/")  # shows (and so drops) the "started" messages kept in the session
    assert queries() == before
    page = manager.get("/access/reviews/?q=count+test&sort=name").content.decode()
    camp = ReviewCampaign.objects.unscoped("test").get(name="count test 1")
    from dataward.access import reviews

    counts = reviews.progress(camp)
    assert f"<td>{counts['items']}</td>" in page
    assert counts["items"] == counts["pending"] > 0
