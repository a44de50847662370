"""Real Chromium (Debian's, driven by Playwright) signs in with TOTP and walks every page.

The server is `dataward serve` (gunicorn) on loopback over the demo workspace. Screenshots of
every page land in build/screenshots/ (or $DATAWARD_SCREENSHOTS) for a person to look at.
Console errors fail the test: a Content-Security-Policy violation shows up there.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web.conftest import PASSWORD

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("DATAWARD_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"Chromium not found at {CHROMIUM} (bash .ci/run installs Debian's chromium)"
    if os.environ.get("DATAWARD_REQUIRE_CHROMIUM") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(demo_ws: Path) -> Iterator[str]:
    """Run `dataward serve` on the module's own demo workspace; yield its base URL."""
    _need_chromium()
    dataward = str(Path(sys.executable).parent / "dataward")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    subprocess.run(  # noqa: S603
        [dataward, "-w", str(demo_ws), "users", "password", "demo-admin", "--password-stdin"],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603
        [dataward, "-w", str(demo_ws), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):  # bounded: 30 s
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310 - loopback
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"dataward serve did not start: {proc.communicate()[1][-400:]!r}")
    yield base
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def shots() -> Path:
    """Return the folder screenshots go to."""
    folder = Path(os.environ.get("DATAWARD_SCREENSHOTS", "build/screenshots"))
    folder.mkdir(parents=True, exist_ok=True)  # two test processes may both write here
    return folder


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    """Yield one browser page; every console error or failed request is collected on it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        tab.problems = []  # type: ignore[attr-defined]
        tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))  # type: ignore[attr-defined]
        tab.on("pageerror", lambda e: tab.problems.append(str(e)))  # type: ignore[attr-defined]
        tab.on(
            "response",
            lambda r: r.status >= 400 and tab.problems.append(f"{r.status} {r.url}"),  # type: ignore[attr-defined]
        )
        yield tab
        context.close()
        browser.close()


def _code(secret_text: str) -> str:
    from django_otp.oath import totp

    key = base64.b32decode(
        secret_text.replace(" ", "") + "=" * (-len(secret_text.replace(" ", "")) % 8)
    )
    return f"{totp(key):06d}"


@pytest.fixture(scope="module")
def admin(page: Any, server: str, shots: Path) -> Any:
    """Sign demo-admin in through TOTP enrolment, once per test process (xdist splits modules)."""
    page.goto(server + "/")
    assert "/login/" in page.url
    page.screenshot(path=str(shots / "00-sign-in.png"))
    page.fill("input[name=username]", "demo-admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/mfa/")
    assert page.locator(".qr svg").count() == 1
    page.screenshot(path=str(shots / "01-enrol-totp.png"))
    secret = page.inner_text("#totp-secret")
    page.fill("input[name=code]", _code(secret))
    page.click("button[type=submit]:has-text('Confirm')")
    page.wait_for_url(server + "/")
    return page


def test_sign_in_with_totp_enrolment(admin: Any, server: str) -> None:
    admin.goto(server + "/audit/")
    assert admin.url == server + "/audit/"  # signed in: no detour to /login/
    assert admin.locator("header .who").inner_text().startswith("demo-admin")
    assert not admin.problems, admin.problems


def test_every_menu_page_renders_without_errors(admin: Any, server: str, shots: Path) -> None:
    page = admin
    links = page.locator("nav.menu a")
    targets = [
        (links.nth(i).inner_text(), links.nth(i).get_attribute("href"))
        for i in range(links.count())
    ]
    assert len(targets) >= 10, targets
    for number, (label, href) in enumerate(targets, start=2):
        response = page.goto(server + href)
        assert response is not None
        assert response.status == 200, f"{label} {href} -> {response.status}"
        assert page.url == server + href, f"{label}: redirected to {page.url}"
        assert page.locator("h1").count() >= 1, label
        name = label.lower().replace(" ", "-")
        page.screenshot(path=str(shots / f"{number:02d}-{name}.png"), full_page=True)
    assert not page.problems, page.problems


def test_table_sort_and_filter_through_htmx(admin: Any, server: str) -> None:
    page = admin
    page.goto(server + "/audit/")
    first = page.locator("table.data tbody tr").first.inner_text()
    page.click("table.data th a:has-text('#')")
    page.wait_for_function("() => location.search.includes('sort=')")
    assert page.locator("table.data tbody tr").first.inner_text() != first
    assert not page.problems, page.problems


def test_review_decision_one_click_and_in_bulk(admin: Any, server: str, shots: Path) -> None:
    page = admin
    page.goto(server + "/access/reviews/")
    page.click(".start-campaign summary")
    page.select_option(".start-campaign select[name=client]", "northbank")
    page.fill(".start-campaign input[name=name]", "browser test review")
    page.click("button:has-text('Start campaign')")
    page.wait_for_selector("form#bulk")
    rows = page.locator("table.data tbody tr:has(button:has-text('Certify'))")
    assert rows.count() >= 3
    first = rows.first
    row_id = first.get_attribute("id")
    first.locator("button:has-text('Certify')").click()  # one click, swapped in place by htmx
    page.wait_for_selector(f"tr#{row_id}.decision-certify")
    page.screenshot(path=str(shots / "20-review-one-click.png"), full_page=True)
    decided = page.locator("tr.decision-certify").count()
    page.check("input[data-select-all]")
    page.click("button:has-text('Certify selected')")
    page.wait_for_load_state("load")
    page.screenshot(path=str(shots / "21-review-bulk.png"), full_page=True)
    assert page.locator("tr.decision-certify").count() > decided
    assert not page.problems, page.problems


def test_alert_triage(admin: Any, server: str, shots: Path) -> None:
    page = admin
    page.goto(server + "/alerts/")
    page.locator("table.data tbody tr a").first.click()
    page.wait_for_selector("select[name=state]")
    page.select_option("select[name=state]", "investigating")
    page.click("button:has-text('Set state')")
    page.wait_for_load_state("load")
    assert "investigating" in page.inner_text("main")
    page.screenshot(path=str(shots / "22-alert-triaged.png"), full_page=True)
    assert not page.problems, page.problems


def test_incident_intake(admin: Any, server: str, shots: Path) -> None:
    page = admin
    page.goto(server + "/incidents/new/")
    page.fill("input[name=title]", "Browser test: export sent to a personal mailbox")
    page.check("input[name=client][value=telora]")
    page.check("input[name=category] >> nth=0")
    page.fill("input[name=records]", "120")
    page.fill(
        "textarea[name=description]", "An agent mailed a customer export to a personal address."
    )
    page.screenshot(path=str(shots / "23-incident-intake.png"), full_page=True)
    page.click("button:has-text('Report')")
    page.wait_for_url("**/incidents/*/")
    body = page.inner_text("main")
    assert "Browser test: export sent to a personal mailbox" in body
    page.screenshot(path=str(shots / "24-incident-created.png"), full_page=True)
    assert not page.problems, page.problems
