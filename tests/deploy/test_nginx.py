"""deploy/nginx/dataward.conf with Debian's nginx in front of a real `dataward serve`, on loopback.

What a browser, a spoofing client and an oversized upload meet: TLS with a certificate checked
by name, the redirect from HTTP, HSTS and the app's headers, a real sign-in (password, then TOTP
enrolment) whose CSRF checks pass only with the site's https origin, the client address the app
records, and the body limit.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import sqlite3
import ssl

import pytest

from deploy.conftest import PASSWORD, App
from deploy.proxy import HOST, Browser, Proxy, plain_http

SPOOFED = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Real-IP": "203.0.113.10",
    "Forwarded": "for=203.0.113.11;proto=http",
    "X-Forwarded-Host": "evil.test",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Ssl": "off",
}


def _totp(secret_text: str) -> str:
    """Return the current code for a key as the enrolment page shows it (base32, spaced)."""
    from django_otp.oath import totp

    text = secret_text.replace(" ", "")
    return f"{totp(base64.b32decode(text + '=' * (-len(text) % 8))):06d}"


def test_https_answers_and_plain_http_only_redirects(proxy: Proxy) -> None:
    health = Browser(proxy).request("GET", "/healthz")
    assert (health.status, health.body) == (200, b"ok")
    moved = plain_http(proxy.http, "/audit/?page=2", f"{HOST}:{proxy.http}")
    assert moved.status == 301
    assert moved.one("Location") == f"https://{HOST}:{proxy.https}/audit/?page=2"
    assert not moved.all("Set-Cookie")  # nothing from the app over plain HTTP


def test_nginx_runs_unprivileged(proxy: Proxy) -> None:
    import psutil

    master = psutil.Process(int((proxy.folder / "nginx.pid").read_text()))
    assert master.name() == "nginx"
    users = {process.uids().effective for process in [master, *master.children()]}
    assert 0 not in users  # not root, even when the tests run as root


def test_other_host_names_get_no_answer(proxy: Proxy) -> None:
    with pytest.raises(http.client.RemoteDisconnected):
        plain_http(proxy.http, "/", "evil.test")
    with pytest.raises(ssl.SSLError):  # the default TLS server refuses the handshake
        Browser(proxy, host="evil.test").request("GET", "/healthz")


def test_security_headers_arrive_once_and_hsts_comes_from_the_proxy(proxy: Proxy) -> None:
    page = Browser(proxy).request("GET", "/login/")
    assert page.status == 200
    assert page.one("Strict-Transport-Security") == "max-age=63072000; includeSubDomains"
    assert "default-src 'self'" in page.one("Content-Security-Policy")
    assert page.one("X-Frame-Options") == "DENY"
    assert page.one("X-Content-Type-Options") == "nosniff"
    assert page.one("Referrer-Policy") == "same-origin"
    assert page.one("Server") == "nginx"  # no version
    (csrf,) = page.all("Set-Cookie")
    assert csrf.startswith("csrftoken=")
    assert "Secure" in csrf  # the app sees the request as HTTPS
    css = Browser(proxy).request("GET", "/static/web/dataward.css")  # whitenoise, via nginx
    assert css.status == 200
    assert css.one("Content-Type").startswith("text/css")
    missing = Browser(proxy).request("GET", "/static/nothing-here.css")
    assert missing.status == 404
    assert missing.all("Strict-Transport-Security")


def test_a_real_sign_in_through_the_proxy_with_totp_enrolment(proxy: Proxy) -> None:
    browser = Browser(proxy)
    assert browser.request("GET", "/login/").status == 200
    signed = browser.form("/login/", {"username": "admin", "password": PASSWORD})
    assert signed.status == 302, signed.body[:300]
    assert signed.one("Location") == "/login/mfa/"
    (session,) = [c for c in signed.all("Set-Cookie") if c.startswith("sessionid=")]
    assert "Secure" in session
    assert "HttpOnly" in session
    enrol = browser.request("GET", "/login/mfa/")
    secret = re.search(rb'id="totp-secret">([^<]+)<', enrol.body)
    assert secret, enrol.body[:300]
    confirmed = browser.form("/login/mfa/", {"code": _totp(secret.group(1).decode())})
    assert confirmed.status == 302, confirmed.body[:300]
    assert confirmed.one("Location") == "/"
    audit = browser.request("GET", "/audit/")
    assert audit.status == 200  # signed in: no detour to /login/
    assert b"user.mfa_enrol" in audit.body


@pytest.mark.parametrize(
    "origin", ["https://evil.test", f"http://{HOST}", "null"], ids=["other-site", "http", "null"]
)
def test_a_post_from_another_origin_is_refused(proxy: Proxy, origin: str) -> None:
    browser = Browser(proxy)
    browser.request("GET", "/login/")
    refused = browser.form(
        "/login/",
        {"username": "manager", "password": PASSWORD},
        origin=origin.replace(f"http://{HOST}", f"http://{HOST}:{proxy.https}"),
    )
    assert refused.status == 403
    assert not any(c.startswith("sessionid=") for c in refused.all("Set-Cookie"))


def test_a_spoofed_client_address_never_reaches_the_app(proxy: Proxy, app: App) -> None:
    browser = Browser(proxy)
    browser.request("GET", "/login/")
    failed = browser.form("/login/", {"username": "manager", "password": "not it"}, extra=SPOOFED)
    assert failed.status == 200  # the form again, with its error
    with sqlite3.connect(app.root / "dataward.sqlite3") as db:  # what django-axes recorded
        rows = db.execute(
            "SELECT ip_address FROM axes_accessattempt WHERE username = 'manager'"
        ).fetchall()
    assert rows == [("127.0.0.1",)]  # the proxy's address, never a header's
    log = app.log_text(waiting_for='"POST /login/" 200')
    served = [line for line in log.splitlines() if '"POST /login/"' in line]
    assert all(line.startswith("127.0.0.1 ") for line in served)
    assert "203.0.113" not in log
    assert "203.0.113" not in proxy.access_log('"POST /login/ HTTP/1.1" 200')  # the real peer


def test_the_proxy_sets_the_forwarding_headers_and_drops_the_clients(echo_proxy: Proxy) -> None:
    seen = Browser(echo_proxy).request("GET", "/search/?q=4111111111111111", headers=SPOOFED)
    assert seen.status == 200
    headers = {k.lower(): v for k, v in json.loads(seen.body)}
    assert headers["host"] == f"{HOST}:{echo_proxy.https}"
    assert headers["x-forwarded-proto"] == "https"
    assert headers["x-forwarded-for"] == "127.0.0.1"  # replaced, not appended to
    assert headers["x-real-ip"] == "127.0.0.1"
    for dropped in ("forwarded", "x-forwarded-host", "x-forwarded-ssl", "x-forwarded-protocol"):
        assert dropped not in headers
    log = echo_proxy.access_log(waiting_for='"GET /search/ HTTP/1.1" 200')
    assert "4111" not in log  # no query string in the access log


def _post_headers_only(proxy: Proxy, length: int) -> http.client.HTTPResponse:
    conn = Browser(proxy).connection()
    conn.putrequest("POST", "/controls/")
    conn.putheader("Content-Length", str(length))
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    conn.endheaders()
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def _post_chunked(proxy: Proxy, mebibytes: int) -> int | None:
    """POST a chunked body (no Content-Length); return the status, None if reset unread."""
    conn = Browser(proxy).connection()
    chunk = b"x" * 2**20
    try:  # nginx counts the chunks as they come, refuses, and may stop reading
        conn.request("POST", "/controls/", body=iter([chunk] * mebibytes), encode_chunked=True,
                     headers={"Content-Type": "application/octet-stream"})  # fmt: skip
        response = conn.getresponse()
        response.read()
        return response.status
    except (BrokenPipeError, ConnectionResetError):
        return None  # a reset can discard the answer in flight; nginx's log still has it
    finally:
        conn.close()


def test_an_upload_over_the_limit_is_refused_by_nginx(proxy: Proxy, app: App) -> None:
    too_big = _post_headers_only(proxy, 65 * 2**20)  # nginx answers before any body is sent
    assert too_big.status == 413
    assert too_big.getheader("Strict-Transport-Security")
    assert _post_chunked(proxy, 66) in (413, None)
    refused = '"POST /controls/ HTTP/1.1" 413'
    assert proxy.access_log(waiting_for=refused, times=2).count(refused) == 2
    under = Browser(proxy).request("POST", "/login/", b"x" * 2**20, {"Origin": "https://evil.test"})
    assert under.status == 403  # a body under the limit reaches the app (its CSRF check)
    assert "/controls/" not in app.log_text(waiting_for='"POST /login/" 403')  # those did not


def test_a_monitoring_probe_reads_the_database_through_the_proxy(proxy: Proxy, app: App) -> None:
    answer = Browser(proxy).request(
        "GET", "/api/v1/clients/clients?limit=1", headers={"Authorization": f"Bearer {app.token}"}
    )
    assert answer.status == 200, answer.body[:300]
    assert "count" in json.loads(answer.body)
