"""The data inventory pages: locations and what they hold, and the findings (masked only)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

RAW_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*[A-Za-z0-9]@[A-Za-z0-9-]+\.")
LONG_DIGITS = re.compile(r"\d{9,}")


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def _items(slug: str | None = None) -> int:
    from dataward.discovery.models import InventoryItem

    rows = InventoryItem.objects.unscoped("test oracle").filter(
        location__present=True, client__kind="client"
    )
    return rows.filter(client__slug=slug).count() if slug else rows.count()


@pytest.mark.parametrize("user", ["demo-admin", "demo-analyst", "demo-manager", "demo-auditor"])
def test_inventory_page_renders_for_every_role(signed_in, user: str) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(user).get("/inventory/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Data inventory" in html
    assert "Northbank Retail Bank" in html
    assert f"{_items()} rows" in html
    assert 'href="/inventory/findings/?client=' in html


def test_export_filter_and_sort(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-manager")
    rows = _csv(browser.get("/inventory/?export=csv"))
    assert len(rows) == _items()
    assert {r["Approved"] for r in rows} == {"yes", "no"}
    emails = _csv(browser.get("/inventory/?export=csv&entity_type=EMAIL_ADDRESS&sort=-count"))
    assert emails
    assert {r["Entity type"] for r in emails} == {"EMAIL_ADDRESS"}
    counts = [int(r["Count"]) for r in emails]
    assert counts == sorted(counts, reverse=True)
    pci = _csv(browser.get("/inventory/?export=csv&category=PCI&client=northbank"))
    assert pci
    assert {(r["Client"], r["Category"]) for r in pci} == {("northbank", "PCI")}
    book = load_workbook(io.BytesIO(browser.get("/inventory/?export=xlsx").content))
    assert book.active is not None
    assert book.active.max_row == _items() + 1


def test_client_viewer_sees_only_their_inventory(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("viewer-carewell")
    html = browser.get("/inventory/").content.decode()
    assert "Carewell Health Insurance" in html
    assert "Northbank Retail Bank" not in html
    rows = _csv(browser.get("/inventory/?export=csv"))
    assert len(rows) == _items("carewell")
    assert {r["Client"] for r in rows} == {"carewell"}
    assert browser.get("/inventory/?client=northbank").status_code == 404
    assert browser.get("/inventory/findings/?client=telora").status_code == 404


def test_findings_show_masked_previews_only(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.discovery.models import Finding

    browser = signed_in("demo-auditor")
    response = browser.get("/inventory/findings/")
    assert response.status_code == 200
    total = Finding.objects.unscoped("test oracle").filter(client__kind="client").count()
    assert f"{total} rows" in response.content.decode()
    rows = _csv(browser.get("/inventory/findings/?export=csv"))
    assert len(rows) == total
    for row in rows:
        assert not RAW_EMAIL.search(row["Masked preview"]), row
        assert not LONG_DIGITS.search(row["Masked preview"]), row
        assert re.fullmatch(r"[0-9a-f]{12}", row["Fingerprint"])
    stored = set(Finding.objects.unscoped("test oracle").values_list("fingerprint", flat=True)[:50])
    body = "".join(",".join(r.values()) for r in rows)
    assert not any(fp in body for fp in stored)  # never the whole fingerprint


def test_findings_filters_by_location_and_entity(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.discovery.models import Finding, Location

    browser = signed_in("demo-analyst")
    loc = Location.objects.unscoped("test oracle").filter(client__slug="northbank").first()
    assert loc is not None
    count = Finding.objects.unscoped("test oracle").filter(location=loc).count()
    url = f"/inventory/findings/?client=northbank&location={loc.pk}"
    response = browser.get(url)
    assert response.status_code == 200
    assert f"{count} rows" in response.content.decode()
    rows = _csv(browser.get(url + "&export=csv&sort=-score"))
    assert len(rows) == count
    scores = [float(r["Score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    phones = _csv(browser.get("/inventory/findings/?export=csv&entity_type=PHONE_NUMBER"))
    assert phones
    assert {r["Entity type"] for r in phones} == {"PHONE_NUMBER"}
    assert browser.get("/inventory/findings/?location=999999").status_code == 404
    assert browser.get("/inventory/findings/?location=abc").status_code == 404


def test_other_clients_location_is_not_found(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.discovery.models import Location

    theirs = Location.objects.unscoped("test oracle").filter(client__slug="telora").first()
    assert theirs is not None
    browser = signed_in("viewer-northbank")
    assert browser.get(f"/inventory/findings/?location={theirs.pk}").status_code == 404
    own = signed_in("viewer-telora").get(f"/inventory/findings/?location={theirs.pk}")
    assert own.status_code == 200


def test_htmx_request_gets_only_the_table(signed_in) -> None:  # type: ignore[no-untyped-def]
    response = signed_in("demo-admin").get(
        "/inventory/findings/?page=2",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="table-findings",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="table-findings"')
    assert "<h1>" not in html
    assert "page 2 of" in html
