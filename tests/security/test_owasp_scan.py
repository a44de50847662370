"""An authenticated scan of the web site and API for the OWASP classes a test can reach here.

Injection, broken access control, CSRF and security headers, over every route the URL
configuration and the OpenAPI schema hold, as an anonymous visitor, a client-viewer of client A,
a manager of client A, an auditor and an admin, on a demo workspace of this module's own.

Built on the narrower tests in tests/web/ (not repeated here): test_isolation.py walks client B's
objects as users of client A; test_auth.py checks the sign-in page's headers, cookie flags and CSRF;
test_api_schemathesis.py fuzzes the API as an admin and as viewer-telora.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from django.test import Client
from django.urls import reverse

from security.owasp_support import (
    ADMIN,
    AUDITOR,
    MANAGER_A,
    PAYLOADS,
    POLYGLOT,
    PUBLIC,
    SQLI,
    TEMPLATE,
    TRAVERSAL,
    VIEWER_A,
    XSS,
    A,
    B,
    Cast,
    Route,
    api_body,
    api_operations,
    api_url,
    check_cookie,
    forms_of,
    leaks,
    methods_of,
    missing_kwargs,
    routes,
    takes_text,
    text_of,
    unescaped,
    wait_for,
)
from web.conftest import sign_in

SCOPED_TO_A = (VIEWER_A, MANAGER_A)
SIGNED_IN = (VIEWER_A, MANAGER_A, AUDITOR, ADMIN)
TAMPERING = ("put", "patch", "delete")
# Forms whose valid submission would take the scan's own admin apart (reset its MFA, revoke its
# token): they get only the polyglot, which they refuse.
ADMIN_OWN = ("/account/users/", "/account/tokens/revoke/")
EXAMPLES = 3


@pytest.fixture(scope="module")
def cast(demo_ws: Path) -> Iterator[Cast]:
    """Serve this module's demo workspace; sign in every user of the scan and give each a token."""
    from dataward.core import users
    from dataward.core.models import Client as ClientRow
    from dataward.core.workspace import open_workspace
    from dataward.web import tokens
    from dataward.web.app import serve, served

    ws = open_workspace(demo_ws, env={})
    serve(ws)
    users.add(ws, MANAGER_A, "manager", [A])
    browsers = {"anonymous": Client(), **{user: sign_in(user) for user in SIGNED_IN}}
    keys = {user: tokens.create(ws, user, "owasp scan")[1] for user in SIGNED_IN}
    others = ClientRow.objects.exclude(slug=A).filter(kind="client")
    foreign = sorted({text for c in others for text in (c.slug, c.name)})
    assert foreign
    yield Cast(browsers, keys, foreign)
    served.ws = None


def _get(cast: Cast, user: str, route: Route, **extra: Any) -> Any:
    browser = cast.browsers[user] if not route.is_api else Client()
    headers = cast.api(user) if route.is_api and user != "anonymous" else {}
    return browser.get(route.url, **headers, **extra)


def _foreign_in(cast: Cast, body: str) -> list[str]:
    return [name for name in cast.foreign if name in body]


# --- (a) schemathesis over the API as users scoped to client A ------------------------------


@pytest.mark.parametrize("user", SCOPED_TO_A)
def test_api_fuzzed_as_a_user_of_client_a_never_shows_another_client(cast: Cast, user: str) -> None:
    """Generated requests: no 5xx, answers match the schema, none holds another client's name."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    from dataward.web.api import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = get_wsgi_application()
    headers = {"Authorization": f"Bearer {cast.tokens[user]}"}
    answered: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if user == MANAGER_A and operation.method.upper() != "GET":
            continue  # the manager's writes would change the objects the other tests read
        _fuzz(operation, headers, cast, user, answered)
    assert 200 in answered  # the token did read something: the check had data to look at


def _fuzz(operation: Any, headers: dict[str, str], cast: Cast, user: str, seen: list[int]) -> None:
    """Run an operation's generated cases: no 5xx, schema-conformant, no other client's name."""
    import hypothesis
    from hypothesis import HealthCheck, given
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )
        shown = _foreign_in(cast, response.text)
        assert not shown, f"{operation.label} showed {shown} to {user}"
        seen.append(response.status_code)

    run()


# --- (b) injection --------------------------------------------------------------------------


def _html_crawl(cast: Cast) -> dict[str, str]:
    """Return every HTML page an admin can GET (client A's objects filling parameters)."""
    pages: dict[str, str] = {}
    for route in routes():
        if route.is_api or route.name in PUBLIC:
            continue
        response = cast.browsers[ADMIN].get(route.url)
        if response.status_code == 200 and "html" in response["Content-Type"]:
            pages[route.url] = response.content.decode()
    return pages


def _check(response: Any, payload: str, where: str, baseline: str = "") -> None:
    body = text_of(response)
    assert response.status_code < 500, f"{where} with {payload!r} -> {response.status_code}"
    assert not leaks(body, baseline), f"{where} with {payload!r} printed {leaks(body, baseline)}"
    if "html" in response.get("Content-Type", ""):
        assert not unescaped(body, payload), f"{where} reflected {payload!r} unescaped"


def test_every_page_parameter_and_form_field_takes_hostile_input(cast: Cast) -> None:
    """Hostile input in every query name and form field, then pages show what was stored escaped.

    Each query name alone gets the polyglot, then every payload goes to all names at once. Each
    form gets the polyglot in every field, then each payload in its text fields with the other
    fields as a browser would send them, so that writes succeed and store it.
    """
    admin = cast.browsers[ADMIN]
    pages = _html_crawl(cast)
    assert len(pages) >= 20
    asked = posted = 0
    for url, html in pages.items():
        forms, names = forms_of(html)
        for name in sorted(names):
            _check(admin.get(url, {name: POLYGLOT}), POLYGLOT, f"GET {url}?{name}=", html)
        for payload in PAYLOADS if names else []:
            query = dict.fromkeys(names, payload)
            _check(admin.get(url, query), payload, f"GET {url}?{sorted(names)}", html)
        asked += len(names)
        for form in forms:
            target = urljoin(url, form["action"] or url)
            if form["method"] != "post" or target.startswith(("/logout/", "/account/mfa/")):
                continue
            everywhere = dict.fromkeys(form["fields"], POLYGLOT)
            _check(admin.post(target, everywhere), POLYGLOT, f"POST {target}", html)
            if target.startswith(ADMIN_OWN):
                continue
            for payload in (SQLI[0], TRAVERSAL[0], TEMPLATE[0], *XSS[:2]):  # a valid form else
                data = {**form["fields"], **dict.fromkeys(form["text"], payload)}
                _check(admin.post(target, data), payload, f"POST {target}", html)
            posted += 1
    assert asked > 40
    assert posted > 5
    stored = 0
    for url in _html_crawl(cast):  # what the forms stored is shown escaped everywhere
        body = admin.get(url).content.decode()
        shown = [p for p in (POLYGLOT, *PAYLOADS) if unescaped(body, p)]
        assert not shown, f"{url} shows the stored {shown}"
        assert not leaks(body, pages.get(url, "")), f"{url} now prints {leaks(body)}"
        stored += "&lt;script&gt;alert(96)&lt;/script&gt;" in body
    assert stored  # some form did store a payload: the check above had one to look at


def test_every_api_parameter_and_body_field_takes_hostile_input(cast: Cast) -> None:
    """Every operation taking text gets the polyglot, then SQL, path and template payloads.

    JSON is never rendered as HTML, so the script payloads count only inside the polyglot here.
    """
    auth = cast.api(ADMIN)
    tried = 0
    for method, path, op in api_operations():
        if not takes_text(op):
            continue
        for payload in (POLYGLOT, SQLI[-1], TRAVERSAL[-1], TEMPLATE[-1]):
            url = api_url(path, op, payload)
            if method == "get":
                response = Client().get(url, **auth)
            else:
                body = api_body(op, fill=payload) or {}
                send = getattr(Client(), method)
                response = send(url, body, content_type="application/json", **auth)
            _check(response, payload, f"{method.upper()} {path}")
            if response.status_code != 204:
                assert response["Content-Type"].startswith("application/json"), url
            tried += 1
    assert tried > 60


# --- (c) access control -----------------------------------------------------------------------


def test_anonymous_gets_the_sign_in_page_or_401_on_every_route(cast: Cast) -> None:
    anonymous = cast.browsers["anonymous"]
    for route in routes():
        if route.name in PUBLIC:
            continue
        for method in ("get", "post"):
            response = getattr(anonymous, method)(route.url)
            where = f"anonymous {method.upper()} {route.url}"
            if route.url.startswith("/api/"):  # the API, its schema and its docs
                assert response.status_code in (401, 404, 405), f"{where} -> {response.status_code}"
            else:
                assert response.status_code == 302, f"{where} -> {response.status_code}"
                assert response["Location"].startswith("/login/?next="), where


# Refusals the permission matrix implies (core/engine/permissions.py), by URL name.
REFUSED_TO = {
    VIEWER_A: ("audit:list", "audit:chain", "account:users", "incidents:new", "api:list_events"),
    MANAGER_A: ("account:users",),
    AUDITOR: ("account:users", "incidents:new"),
}


@pytest.mark.parametrize("user", sorted(REFUSED_TO))
def test_roles_are_refused_what_their_role_may_not_do(cast: Cast, user: str) -> None:
    by_name = {route.name: route for route in routes()}
    for name in REFUSED_TO[user]:
        status = _get(cast, user, by_name[name]).status_code
        assert status in (403, 404), f"{user} GET {by_name[name].url} -> {status}"


@pytest.mark.parametrize("user", SCOPED_TO_A)
def test_no_answer_to_a_user_of_client_a_names_another_client(cast: Cast, user: str) -> None:
    opened = 0
    for route in routes(per_route=2):
        if route.name in PUBLIC:
            continue
        response = _get(cast, user, route)
        assert response.status_code in (200, 302, 403, 404, 405), f"{route.url} -> {response}"
        if response.status_code == 200:
            shown = _foreign_in(cast, text_of(response))
            assert not shown, f"{user} GET {route.url} shows {shown}"
            opened += 1
    assert opened > 20


@pytest.mark.parametrize("user", SCOPED_TO_A)
def test_client_b_objects_answer_as_if_they_did_not_exist(cast: Cast, user: str) -> None:
    """B's object and an id that exists nowhere get the same answer: no existence oracle."""
    own = {route.name: _get(cast, user, route).status_code for route in routes()}
    compared = 0
    for route in routes(B):
        if not route.params:
            continue
        missing = Route(route.name, reverse(route.name, kwargs=missing_kwargs(route.name)), ())
        status, absent = _get(cast, user, route).status_code, _get(cast, user, missing).status_code
        assert status == absent, f"{user} GET {route.url} -> {status}, an unknown id -> {absent}"
        assert status in (403, 404, 405), f"{user} GET {route.url} -> {status}"
        if own.get(route.name) == 200:  # the user may open such objects of client A: 404 here
            assert status == 404, f"{user} GET {route.url} -> {status}"
            compared += 1
    assert compared >= 5


def test_method_tampering_is_405(cast: Cast) -> None:
    """PUT, PATCH and DELETE where a route does not take them: 405, for pages and API alike."""
    admin = cast.browsers[ADMIN]
    documented: dict[str, set[str]] = {}
    for method, path, _ in api_operations():
        documented.setdefault(path, set()).add(method)
    tried = 0
    for route in routes():
        if route.name in PUBLIC:
            continue
        for method in TAMPERING:
            allowed = methods_of(documented, route.url)
            if method in allowed:
                continue
            if route.is_api:
                send = getattr(Client(), method)
                status = send(route.url, {}, content_type="application/json", **cast.api(ADMIN))
            else:
                status = getattr(admin, method)(route.url)
            expected = (405,) if allowed or not route.is_api else (404, 405)  # /api/ holds nothing
            assert status.status_code in expected, f"{method.upper()} {route.url} -> {status}"
            tried += 1
    assert tried > 100


def test_read_only_roles_change_nothing_by_posting_everywhere(cast: Cast) -> None:
    """An auditor and a client-viewer POST to every page: no audit event, no server error.

    Downloading a disposal certificate is a read the trail records (retention.certificate).
    """
    from dataward.core.models import AuditEvent

    for user in (AUDITOR, VIEWER_A):
        events = AuditEvent.objects.filter(actor=user).exclude(action="retention.certificate")
        before = events.count()
        for route in routes():
            if route.is_api or route.name in PUBLIC or route.name.startswith("account:"):
                continue
            status = cast.browsers[user].post(route.url, {}).status_code
            assert status < 500, f"{user} POST {route.url} -> {status}"
        assert events.count() == before, f"{user} changed records"


# --- (d) CSRF ---------------------------------------------------------------------------------


def _strict(cast: Cast) -> tuple[Client, str]:
    """Return a CSRF-enforcing browser holding the admin's session, and its CSRF token."""
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = SimpleCookie(cast.browsers[ADMIN].cookies.output(header="", sep=";"))
    assert strict.get("/account/").status_code == 200
    return strict, strict.cookies["csrftoken"].value


def test_every_page_post_without_a_valid_token_or_from_another_origin_is_403(cast: Cast) -> None:
    strict, token = _strict(cast)
    attempts = {
        "no token": ({}, {}),
        "wrong token": ({"csrfmiddlewaretoken": "x" * 64}, {"HTTP_X_CSRFTOKEN": "y" * 64}),
        "foreign origin": ({"csrfmiddlewaretoken": token}, {"HTTP_ORIGIN": "https://evil.example"}),
    }
    checked = 0
    for route in routes():
        if route.is_api or route.name == "healthz":
            continue
        for what, (data, headers) in attempts.items():
            response = strict.post(route.url, data, **headers)
            assert response.status_code == 403, f"POST {route.url} with {what}"
            assert b"CSRF" in response.content, f"POST {route.url} with {what}: not a CSRF refusal"
            checked += 1
    assert checked > 100
    allowed = strict.post("/account/tokens/", {"csrfmiddlewaretoken": token})
    assert allowed.status_code != 403  # the same browser, with its token, gets past the check


def test_api_post_with_only_a_session_cookie_is_refused_and_with_a_token_allowed(
    cast: Cast,
) -> None:
    strict, token = _strict(cast)
    url = reverse("api:incident_report")
    ops = {path: op for method, path, op in api_operations() if method == "post"}
    body = api_body(ops[url])
    session_only = strict.post(url, body, content_type="application/json")
    assert session_only.status_code == 401
    with_csrf = strict.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert with_csrf.status_code == 401  # a session never authenticates the API, token or not
    bearer = Client(enforce_csrf_checks=True).post(
        url, body, content_type="application/json", **cast.api(MANAGER_A)
    )
    assert bearer.status_code not in (401, 403), bearer.content[:300]
    assert bearer.status_code < 500


# --- (e) headers ------------------------------------------------------------------------------


def _all_answers(cast: Cast) -> Iterator[tuple[str, str, Any]]:
    """Yield (user, url, response) for every route as every user, anonymous included."""
    for user in ("anonymous", ADMIN):
        for route in routes():
            if route.name in ("logout", "login_link"):
                continue
            yield user, route.url, _get(cast, user, route)


def test_every_answer_carries_the_security_headers(cast: Cast) -> None:
    seen = 0
    for user, url, response in _all_answers(cast):
        public = url.startswith(("/login/", "/healthz"))
        where = f"{user} GET {url} ({response.status_code})"
        csp = response.get("Content-Security-Policy", "")
        script = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
        assert "default-src 'self'" in csp, where
        assert script, where
        assert "'unsafe-inline'" not in script, where
        assert "'unsafe-eval'" not in script, where
        assert "frame-ancestors 'none'" in csp or response.get("X-Frame-Options") == "DENY", where
        assert response.get("X-Content-Type-Options") == "nosniff", where
        assert response.get("Referrer-Policy") == "same-origin", where
        assert not any(ch.isdigit() for ch in response.get("Server", "")), where
        assert "X-Powered-By" not in response, where
        if user != "anonymous" and response.status_code == 200 and not public:
            assert "no-store" in response.get("Cache-Control", ""), where
        for cookie in response.cookies.values():
            check_cookie(cookie, where)
        seen += 1
    assert seen > 100


def test_real_server_names_no_version(demo_ws: Path) -> None:
    """Under gunicorn (as `dataward serve` runs), no answer names a server version."""
    import os
    import subprocess
    import sys

    from web.test_serve_cli import _free_port, _get

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    command = [str(Path(sys.executable).parent / "dataward"), "-w", str(demo_ws), "serve"]
    proc = subprocess.Popen(  # noqa: S603
        [*command, "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz")
        for path in ("/healthz", "/login/", "/static/web/dataward.css", "/api/v1/alerts/", "/x"):
            status, _, headers = _get(base + path)
            where = f"GET {path} ({status})"
            assert not any(ch.isdigit() for ch in headers.get("Server", "")), where
            assert headers.get("X-Content-Type-Options") == "nosniff", where
    finally:
        proc.terminate()
        proc.wait(timeout=30)
