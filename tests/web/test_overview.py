"""The overview: posture per client and area, risk heat map, alerts to triage, overdue duties."""

from __future__ import annotations

import re

import pytest

NAMES = {
    "northbank": "Northbank Retail Bank",
    "carewell": "Carewell Health Insurance",
    "telora": "Telora Mobile",
}


def _heat_total(html: str) -> int:
    table = html.split('<table class="heat"', 1)[1].split("</table>", 1)[0]
    return sum(int(n) for n in re.findall(r'<td class="h\d"[^>]*>(\d+)</td>', table))


def _open_risks(slugs: list[str] | None) -> int:
    from dataward.risks.models import Risk

    rows = Risk.objects.unscoped("test oracle").exclude(status="closed")
    return rows.filter(client__slug__in=slugs).count() if slugs else rows.count()


@pytest.mark.parametrize("user", ["demo-admin", "demo-analyst", "demo-manager", "demo-auditor"])
def test_overview_shows_every_client_in_scope(signed_in, user: str) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(user).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in NAMES.values():
        assert name in html
    assert "Posture by client and area" in html
    assert 'href="/risks/"' in html
    assert 'href="/alerts/"' in html
    assert 'href="/controls/?client=northbank"' in html
    assert _heat_total(html) == _open_risks(None)  # the operation's risks count for staff
    assert re.search(r'class="h[1-4]"', html)


def test_overview_posture_matches_the_stored_assessment(signed_in) -> None:  # type: ignore[no-untyped-def]
    from collections import Counter

    from dataward.controls.catalog_service import catalog
    from dataward.controls.models import Assessment, CheckResult

    run = Assessment.objects.unscoped("test oracle").filter(client__slug="telora").latest("id")
    html = signed_in("demo-manager").get("/?client=telora").content.decode()
    assert f'<span class="metric">{run.counts["posture"]["overall"]}</span>' in html
    fails: Counter[str] = Counter()
    by_check = catalog().by_check()
    for check in CheckResult.objects.for_client(run.client).filter(assessment=run, status="fail"):
        for area in {c.area for c in by_check.get(check.check_id, [])}:
            fails[area] += 1
    assert fails
    for part in catalog().areas:
        if fails[part.id]:
            row = html.split(f"<tr><td>{part.title}</td>", 1)[1].split("</tr>", 1)[0]
            assert re.findall(r"<td>(\d+)", row)[-1] == str(fails[part.id])


def test_client_viewer_sees_only_their_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("viewer-northbank")
    html = browser.get("/").content.decode()
    assert NAMES["northbank"] in html
    assert NAMES["carewell"] not in html
    assert NAMES["telora"] not in html
    assert "The operation" not in html
    assert _heat_total(html) == _open_risks(["northbank"])
    assert browser.get("/?client=telora").status_code == 404
    assert browser.get("/overview/overdue/?client=carewell").status_code == 404
    overdue = browser.get("/overview/overdue/").content.decode()
    headings = re.findall(r"<h3>([^<]+?) <span", overdue)
    assert headings == [NAMES["northbank"]]  # overdue items of no other client nor the operation


def test_alerts_awaiting_triage_are_counted(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.monitoring.models import Alert

    waiting = Alert.objects.unscoped("test oracle").filter(
        client__slug="telora", state__in=("new", "investigating")
    )
    html = signed_in("demo-analyst").get("/?client=telora").content.decode()
    section = html.split('id="triage-title"', 1)[1].split("</section>", 1)[0]
    if waiting.exists():
        assert 'href="/alerts/?client=telora"' in section
        cells = re.findall(r"<td>(\d+)</td>", section)
        assert sum(map(int, cells[:2])) == waiting.count()
    else:
        assert "No alert is waiting" in section


def test_overdue_obligations_per_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.core import reminders
    from dataward.web.app import served

    assert served.ws is not None
    ws = served.ws
    rows = [r for r in reminders.gather(ws, ws.clock().date()) if r["state"] == "overdue"]
    html = signed_in("demo-admin").get("/overview/overdue/").content.decode()
    assert rows, "the demo plants overdue obligations"
    for row in rows[:5]:
        assert row["ref"] in html
    assert 'href="/vendors/' in html  # an overdue vendor review links the vendors page
    page = signed_in("demo-admin").get("/").content.decode()
    assert 'hx-get="/overview/overdue/"' in page


def test_menu_and_sign_in_required(signed_in, served) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    html = signed_in("viewer-telora").get("/").content.decode()
    assert 'href="/"' in html
    assert ">Overview<" in html
    assert ">Data inventory<" in html
    assert Client().get("/").status_code == 302
    assert Client().get("/overview/overdue/").status_code == 302
