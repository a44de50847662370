"""The devices pages and API: each device's state per rule, filters, one device's history."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

NORTHBANK_ONLY, CAREWELL_ONLY = "CLT-LT-1014", "CLT-LT-1035"
UNENCRYPTED, LOCAL_ADMIN = "MNL-LT-1175", "LDS-MBP-07"  # the demo's planted device failures


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def _state_id(name: str) -> int:
    from dataward.devices.models import DeviceState

    rows = DeviceState.objects.unscoped("test").filter(name=name, valid_to__isnull=True)
    return int(rows.values_list("id", flat=True).get())


@pytest.mark.parametrize("user", ["demo-admin", "demo-manager", "demo-auditor", "viewer-carewell"])
def test_devices_page_renders_for_every_role(signed_in, user) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(user).get("/devices/")
    assert response.status_code == 200
    assert b'aria-current="page">Devices' in response.content
    assert b"encryption" in response.content  # a column per policy rule


def test_a_client_viewer_sees_only_devices_of_their_clients_people(signed_in) -> None:  # type: ignore[no-untyped-def]
    viewer = signed_in("viewer-northbank")
    rows = _csv(viewer.get("/devices/?export=csv"))
    names = {r[0] for r in rows[1:]}
    assert NORTHBANK_ONLY in names
    assert UNENCRYPTED in names
    assert CAREWELL_ONLY not in names
    assert LOCAL_ADMIN not in names
    assert all("northbank" in r[4] for r in rows[1:])
    assert viewer.get("/devices/?client=carewell").status_code == 404


def test_failing_only_and_per_rule_filters(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-auditor")
    rows = _csv(browser.get("/devices/?state=failing&export=csv"))
    assert sorted(r[0] for r in rows[1:]) == [LOCAL_ADMIN, UNENCRYPTED]
    header = rows[0]
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_name[UNENCRYPTED]["encryption"] == "fail"
    assert by_name[LOCAL_ADMIN]["local admin"] == "fail"
    assert by_name[LOCAL_ADMIN]["encryption"] == "pass"
    rows = _csv(browser.get("/devices/?rule=encryption&export=csv"))
    assert [r[0] for r in rows[1:]] == [UNENCRYPTED]
    rows = _csv(browser.get("/devices/?client=telora&state=failing&export=csv"))
    assert [r[0] for r in rows[1:]] == [LOCAL_ADMIN]
    page = browser.get("/devices/?state=failing&sort=-device").content.decode()
    assert page.index(UNENCRYPTED) < page.index(LOCAL_ADMIN)
    assert f'href="/devices/{_state_id(UNENCRYPTED)}/"' in page
    partial = browser.get(
        "/devices/?state=failing", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-devices"
    )
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert b'value="failing" selected' in partial.content


def test_device_detail_with_rules_and_history(signed_in) -> None:  # type: ignore[no-untyped-def]
    pk = _state_id(UNENCRYPTED)
    body = signed_in("viewer-northbank").get(f"/devices/{pk}/").content.decode()
    assert UNENCRYPTED in body
    assert "Recorded states" in body
    assert "first recorded" in body
    assert "Failing since" in body
    assert 'class="badge fail">fail' in body
    old = signed_in("demo-admin").get(f"/devices/{pk}/?on=2001-01-01")
    assert old.status_code == 200
    assert b"not on record" in old.content


def test_device_detail_is_closed_to_other_clients(signed_in) -> None:  # type: ignore[no-untyped-def]
    viewer = signed_in("viewer-carewell")
    pk = _state_id(NORTHBANK_ONLY)
    assert viewer.get(f"/devices/{pk}/").status_code == 404
    assert viewer.get(f"/devices/{pk}/?on=2001-01-01").status_code == 404
    assert viewer.get(f"/devices/{_state_id(CAREWELL_ONLY)}/").status_code == 200
    assert viewer.get("/devices/99999999/").status_code == 404


def _token(username: str) -> dict[str, str]:
    from dataward.web import tokens
    from dataward.web.app import served

    return {"HTTP_AUTHORIZATION": f"Bearer {tokens.create(served.ws, username, 'test')[1]}"}  # type: ignore[arg-type]


def test_api_lists_devices_in_scope_with_filters(served) -> None:  # type: ignore[no-untyped-def]
    auth = _token("viewer-northbank")
    body = Client().get("/api/v1/devices/devices?limit=500", **auth).json()
    names = {d["device"] for d in body["items"]}
    assert NORTHBANK_ONLY in names
    assert CAREWELL_ONLY not in names
    assert body["count"] == len(body["items"])
    failing = Client().get("/api/v1/devices/devices?state=failing", **auth).json()
    assert [(d["device"], d["failing"]) for d in failing["items"]] == [
        (UNENCRYPTED, ["encryption"])
    ]
    assert failing["items"][0]["id"] == _state_id(UNENCRYPTED)
    other = Client().get("/api/v1/devices/devices?client=carewell", **auth)
    assert other.status_code == 404


def test_api_device_detail_and_isolation(served) -> None:  # type: ignore[no-untyped-def]
    pk = _state_id(UNENCRYPTED)
    doc = Client().get(f"/api/v1/devices/devices/{pk}", **_token("demo-auditor")).json()
    assert doc["device"] == UNENCRYPTED
    assert doc["posture"]["encrypted"] is False
    assert any(r["rule"] == "encryption" and r["status"] == "fail" for r in doc["rules"])
    assert doc["history"][0]["changed"] == ["first recorded"]
    response = Client().get(f"/api/v1/devices/devices/{pk}", **_token("viewer-carewell"))
    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"
