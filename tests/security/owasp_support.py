"""What the OWASP scan needs: the signed-in cast, the route walk, the payloads and their oracles.

Routes come from the URL configuration and the OpenAPI schema (never a hand-kept list); the
parameterised ones are filled with real objects of a client through the OBJECTS maps that the
client-isolation test (tests/web/test_isolation.py) already requires of every page and API module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver, reverse

from web.test_isolation import _api_body, _kwargs_of_client, _objects, _patterns

A, B = "northbank", "carewell"
VIEWER_A, MANAGER_A, AUDITOR, ADMIN = (
    "viewer-northbank",
    "owasp-manager-a",
    "demo-auditor",
    "demo-admin",
)
PUBLIC = ("login", "mfa", "logout", "login_link", "healthz")  # answer without a session

# A short list per class; each payload's echo, escaped or not, is recognisable.
SQLI = ["' OR '1'='1' --", "1; DROP TABLE core_client; --"]
TRAVERSAL = ["../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd"]
TEMPLATE = ["{{ 7|add:1330 }}{% debug %}", "${7*191}"]
XSS = ['"><script>alert(96)</script>', "'><img src=x onerror=alert(96)>", "javascript:alert(96)"]
PAYLOADS = SQLI + TRAVERSAL + TEMPLATE + XSS
# Every class in one string: sent to each field on its own, while PAYLOADS go to all fields at once.
POLYGLOT = "'\"><script>alert(96)</script>{{ 7|add:1330 }}../../etc/passwd' OR '1'='1 --"
# Text a database driver, a template engine or Python prints when input reaches it unguarded.
LEAK_MARKERS = (
    "syntax error", "OperationalError", "ProgrammingError", "IntegrityError", "sqlite3.",
    "psycopg", "unrecognized token", "Traceback", "TemplateSyntaxError", "root:x:0:0",
    "1337", "{'block'", "<module '",
)  # fmt: skip


@dataclass
class Cast:
    """The signed-in browsers and API tokens of the scan, and the names no A user may see."""

    browsers: dict[str, Client]
    tokens: dict[str, str]
    foreign: list[str] = field(default_factory=list)

    def api(self, user: str) -> dict[str, str]:
        """Return the request headers carrying the user's bearer token."""
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[user]}"}


@dataclass(frozen=True)
class Route:
    """One URL of the site: its name, the concrete path, and whether it is an API route."""

    name: str
    url: str
    params: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        """Tell whether the route is a JSON API call (its docs and schema take a session)."""
        return self.url.startswith("/api/") and not self.name.startswith("api:openapi")


def routes(slug: str = A, per_route: int = 1) -> list[Route]:
    """Return every named route, parameterised ones filled with up to ``per_route`` objects."""
    declared = _objects()
    found: list[Route] = []
    for name, _route, params in _patterns(get_resolver().url_patterns):
        if not params:
            found.append(Route(name, reverse(name), ()))
        elif name in declared:
            for kwargs in _kwargs_of_client(declared[name], slug)[:per_route]:
                found.append(Route(name, reverse(name, kwargs=kwargs), tuple(params)))
    return found


def missing_kwargs(name: str) -> dict[str, Any]:
    """Return URL kwargs naming an object that does not exist, for the route's parameters."""
    declared = _objects()[name]
    return {p: (B if p == "client" else 987654321 if "pk" in p or p == "number" else "no-such-x")
            for p in declared[1]}  # fmt: skip


def api_operations() -> list[tuple[str, str, dict[str, Any]]]:
    """Return (method, OpenAPI path, operation) for every operation of the API schema."""
    from dataward.web.api import api

    schema = api.get_openapi_schema()
    return [
        (method, path, op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    ]


def api_body(op: dict[str, Any], fill: str | None = None) -> Any:
    """Return a valid JSON body for an operation; with ``fill``, every string set to it."""
    from dataward.web.api import api

    body = _api_body(op, api.get_openapi_schema())
    if fill is None or not isinstance(body, dict):
        return body
    return {k: (fill if isinstance(v, str) else v) for k, v in body.items()}


TEXT_INPUTS = ("text", "search", "email", "url", "tel")


class _Forms(HTMLParser):
    """Collect a page's forms and its links' query names.

    A form is its method, action, fields (name -> what a browser would send untouched) and the
    names of the fields a person types free text into.
    """

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.query: set[str] = set()
        self.select = ""  # the select whose options are being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            fresh = {"method": a.get("method", "get").lower(), "action": a.get("action", "")}
            self.forms.append({**fresh, "fields": {}, "text": set()})
            self.select = ""
        elif tag in ("input", "select", "textarea") and self.forms and _fillable(a):
            form = self.forms[-1]
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                form["fields"][a["name"]] = a.get("value", "")
            if tag == "textarea" or (tag == "input" and a.get("type", "text") in TEXT_INPUTS):
                form["text"].add(a["name"])
            self.select = a["name"] if tag == "select" else ""
        elif tag == "option" and self.forms and self.select:
            fields = self.forms[-1]["fields"]
            if not fields.get(self.select) or "selected" in a:  # what a browser would send
                fields[self.select] = a.get("value", "")
        for attribute in ("href", "hx-get", "hx-post"):
            if "?" in a.get(attribute, ""):
                query = urlsplit(a[attribute]).query
                self.query |= {k for k, _ in parse_qsl(query, keep_blank_values=True)}


def _fillable(attrs: dict[str, str]) -> bool:
    """Tell whether a form control takes typed text (not a button, file or the CSRF token)."""
    name = attrs.get("name", "")
    return (
        bool(name) and name != "csrfmiddlewaretoken" and attrs.get("type") not in ("submit", "file")
    )


def forms_of(html: str) -> tuple[list[dict[str, Any]], set[str]]:
    """Return a page's forms and the query parameter names its GET forms and links use."""
    parser = _Forms()
    parser.feed(html)
    names = set(parser.query)
    for form in parser.forms:
        if form["method"] == "get":
            names |= set(form["fields"])
    return parser.forms, names


def unescaped(body: str, payload: str) -> bool:
    """Tell whether a payload with HTML-special characters came back as live markup."""
    if payload.startswith("javascript:"):
        return bool(re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", body, re.I))
    return any(c in payload for c in "<>\"'") and payload in body


def leaks(body: str, baseline: str = "") -> list[str]:
    """Return the error markers in a body that its page's baseline body does not hold."""
    return [m for m in LEAK_MARKERS if m in body and m not in baseline]


def text_of(response: Any) -> str:
    """Return a response's body as text, streamed exports included."""
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return str(response.content.decode(errors="replace"))


def api_url(path: str, op: dict[str, Any], payload: str) -> str:
    """Fill an OpenAPI path: string path parameters and every string query parameter get it."""
    query = {}
    for param in op.get("parameters", []):
        kind = param.get("schema", {}).get("type", "string")
        value = quote(payload, safe="") if kind == "string" else "1"
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", value)
        elif param["in"] == "query" and kind == "string":
            query[param["name"]] = payload
    return path + ("?" + urlencode(query) if query else "")


def takes_text(op: dict[str, Any]) -> bool:
    """Tell whether an operation has a string parameter or a JSON body."""
    kinds = [p.get("schema", {}).get("type", "string") for p in op.get("parameters", [])]
    return "string" in kinds or "requestBody" in op


def _matches(openapi: str, url: str) -> bool:
    """Tell whether a concrete URL fits an OpenAPI path template."""
    a, b = openapi.strip("/").split("/"), url.strip("/").split("/")
    return len(a) == len(b) and all(x == y or x.startswith("{") for x, y in zip(a, b, strict=True))


def methods_of(documented: dict[str, set[str]], url: str) -> set[str]:
    """Return the methods the schema gives the path template a URL fits (literal parts first)."""
    fits = [p for p in documented if _matches(p, url)]
    fits.sort(key=lambda p: p.count("{"))
    return documented[fits[0]] if fits else set()


def check_cookie(cookie: Any, where: str) -> None:
    expected = {
        settings.SESSION_COOKIE_NAME: (
            settings.SESSION_COOKIE_SECURE,
            settings.SESSION_COOKIE_HTTPONLY,
            settings.SESSION_COOKIE_SAMESITE,
        ),
        settings.CSRF_COOKIE_NAME: (
            settings.CSRF_COOKIE_SECURE,
            settings.CSRF_COOKIE_HTTPONLY,
            settings.CSRF_COOKIE_SAMESITE,
        ),
    }
    assert cookie.key in expected, f"{where} sets an unexpected cookie {cookie.key}"
    secure, httponly, samesite = expected[cookie.key]
    assert bool(cookie["secure"]) == secure, f"{where}: {cookie.key} Secure"
    assert bool(cookie["httponly"]) == httponly, f"{where}: {cookie.key} HttpOnly"
    assert cookie["samesite"] == samesite, f"{where}: {cookie.key} SameSite"


def wait_for(url: str) -> None:
    import time

    from web.test_serve_cli import _get

    for _ in range(150):  # bounded: 30 s
        try:
            if _get(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"dataward serve did not answer {url} within 30 s")
