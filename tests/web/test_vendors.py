"""The vendor register page: who sees which vendors, filters, export, one vendor's detail."""

from __future__ import annotations

import pytest

# Demo vendors: ShieldPay Tokenisation serves northbank only; Paperline Mail Services serves
# northbank and carewell; VaultBox Offsite Archive serves all three clients.
ONLY_NORTHBANK = "ShieldPay Tokenisation"


def _pk(name: str) -> int:
    from dataward.core.clients import ensure_operation
    from dataward.vendors.models import Vendor
    from dataward.web.app import served

    assert served.ws is not None
    return Vendor.objects.for_client(ensure_operation(served.ws)).get(name=name).pk


def test_register_lists_vendors_with_due_diligence(signed_in) -> None:  # type: ignore[no-untyped-def]
    response = signed_in("demo-manager").get("/vendors/")
    assert response.status_code == 200
    body = response.content.decode()
    assert ONLY_NORTHBANK in body
    assert "VaultBox Offsite Archive" in body
    assert "Questionnaire" in body
    assert "Next review due" in body
    assert f'href="/vendors/{_pk(ONLY_NORTHBANK)}/"' in body


def test_viewer_sees_only_vendors_serving_their_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("viewer-telora")
    body = browser.get("/vendors/").content.decode()
    assert "VaultBox Offsite Archive" in body  # serves telora too
    assert ONLY_NORTHBANK not in body
    assert "Paperline Mail Services" not in body
    assert "northbank" not in body
    assert "carewell" not in body
    csv = b"".join(browser.get("/vendors/?export=csv").streaming_content).decode()
    assert "VaultBox" in csv
    assert ONLY_NORTHBANK not in csv
    register = b"".join(browser.get("/vendors/register/").streaming_content).decode()
    assert register.startswith("vendor,service,clients_served")
    assert ONLY_NORTHBANK not in register
    assert "northbank" not in register


@pytest.mark.parametrize("user", ["viewer-telora", "viewer-carewell"])
def test_other_clients_vendor_is_not_found(signed_in, user: str) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(user).get(f"/vendors/{_pk(ONLY_NORTHBANK)}/").status_code == 404


def test_picking_a_client_outside_scope_is_not_found(signed_in) -> None:  # type: ignore[no-untyped-def]
    assert signed_in("viewer-telora").get("/vendors/?client=northbank").status_code == 404


def test_client_filter_and_table_filters(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-auditor")
    body = browser.get("/vendors/?client=telora").content.decode()
    assert ONLY_NORTHBANK not in body
    assert "VaultBox Offsite Archive" in body
    body = browser.get("/vendors/?review=overdue").content.decode()
    assert "VaultBox Offsite Archive" in body
    assert ONLY_NORTHBANK not in body
    body = browser.get("/vendors/?tier=low").content.decode()
    assert "Nothing to show" in body
    body = browser.get("/vendors/?q=shieldpay").content.decode()
    assert ONLY_NORTHBANK in body
    assert "VaultBox" not in body


def test_sort_and_export(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-analyst")
    csv = b"".join(browser.get("/vendors/?export=csv&sort=-vendor").streaming_content).decode()
    lines = csv.splitlines()
    assert lines[0].startswith("Vendor,Tier,Clients")
    names = [line.split(",")[0] for line in lines[1:]]
    assert names == sorted(names, reverse=True)
    assert len(names) == 6
    xlsx = browser.get("/vendors/?export=xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"


def test_detail_shows_record_reviews_questionnaire_duties(signed_in) -> None:  # type: ignore[no-untyped-def]
    response = signed_in("viewer-northbank").get(f"/vendors/{_pk(ONLY_NORTHBANK)}/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in (ONLY_NORTHBANK, "Risk tier", "Due-diligence questionnaire", "Responsibilities"):
        assert text in body
    assert "patching" in body  # the default activities of the responsibilities matrix


def test_unknown_vendor_is_not_found(signed_in) -> None:  # type: ignore[no-untyped-def]
    assert signed_in("demo-admin").get("/vendors/999999/").status_code == 404


def test_menu_entry(signed_in) -> None:  # type: ignore[no-untyped-def]
    body = signed_in("viewer-carewell").get("/vendors/").content.decode()
    assert '<a href="/vendors/" aria-current="page">Vendors</a>' in body
