"""Client isolation, proven over every URL and API route the URL configuration holds.

Every parameterised page and API route must be declared in its module's OBJECTS map
(url name -> (model, {url param: field path}[, client field path])). For each, the test takes
every object of client B and asks for it as users scoped to client A: a client-viewer, a
manager and an analyst. Each must get 403 or 404 (405 for a method the route does not take),
on GET and on writes, and no write may leave a trace. The same URLs answer an operation-wide
admin, so the test would notice a broken lookup rather than pass on one.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from web.conftest import sign_in

A, B = "northbank", "carewell"
SCOPED_TO_A = ("viewer-northbank", "iso-manager-a", "iso-analyst-a")
REFUSED = {403, 404, 405}
PAGE_METHODS = ("get", "post")
API_METHODS = ("get", "post", "put", "patch", "delete")


def _patterns(
    resolvers: list[URLPattern | URLResolver], prefix: str = "", ns: str = ""
) -> Iterator[tuple[str, str, list[str]]]:
    """Yield (full url name, route text, parameter names) for every named URL."""
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{ns}:{entry.namespace}" if ns and entry.namespace else entry.namespace or ns
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner or "")
        elif entry.name:
            name = f"{ns}:{entry.name}" if ns else entry.name
            route = prefix + str(entry.pattern)
            yield name, route, list(entry.pattern.converters)


def _objects() -> dict[str, tuple[Any, ...]]:
    """Gather OBJECTS from every page module (namespace = module) and API module ("api")."""
    from dataward.plugins import walk_modules
    from dataward.web.urls import page_modules

    found: dict[str, tuple[Any, ...]] = {}
    for module in page_modules():
        ns = module.__name__.rsplit(".", 1)[-1]
        for name, spec in getattr(module, "OBJECTS", {}).items():
            found[f"{ns}:{name}"] = spec
    for path in walk_modules("dataward.web.api"):
        for name, spec in getattr(importlib.import_module(path), "OBJECTS", {}).items():
            assert f"api:{name}" not in found, f"API url_name {name!r} is used twice"
            found[f"api:{name}"] = spec
    return found


def _kwargs_of_client(spec: tuple[Any, ...], slug: str) -> list[dict[str, Any]]:
    """Return URL kwargs for every object of a client, read around the scoped query layer."""
    model: type[Model] = spec[0]
    params: dict[str, str] = spec[1]
    client_path = spec[2] if len(spec) > 2 else "client"
    rows = model.objects  # type: ignore[attr-defined]
    query = rows.unscoped("isolation test") if hasattr(rows.all(), "unscoped") else rows.all()
    query = query.filter(**{f"{client_path}__slug": slug}).distinct()
    names = list(params)
    values = query.values_list(*[params[n] for n in names])
    return [dict(zip(names, v, strict=True)) for v in values[:25]]


@pytest.fixture
def isolation_users(served):  # type: ignore[no-untyped-def]
    """Create a manager and an analyst scoped to client A (the viewer exists in the demo)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dataward.core import users
    from dataward.core.models import User
    from dataward.web.app import served as state

    for name, role in (("iso-manager-a", "manager"), ("iso-analyst-a", "analyst")):
        if not User.objects.filter(username=name).exists():
            users.add(state.ws, name, role, [A])  # type: ignore[arg-type]
    TOTPDevice.objects.filter(user__username="iso-analyst-a").update(last_t=-1)
    return {name: sign_in(name) for name in (*SCOPED_TO_A, "demo-admin")}


def _api_token(username: str) -> str:
    from dataward.web import tokens
    from dataward.web.app import served as state

    return tokens.create(state.ws, username, "isolation")[1]  # type: ignore[arg-type]


def _audit_count() -> int:
    """Count audit events by the users scoped to client A (their refused writes must add none)."""
    from dataward.core.models import AuditEvent

    return AuditEvent.objects.filter(actor__in=SCOPED_TO_A).count()


def _call(client: Client, method: str, url: str, body: Any = None, **headers: str) -> int:
    """Request a URL; API writes send a JSON body, page writes an empty form."""
    if method == "get":
        return int(client.get(url, **headers).status_code)
    send = getattr(client, method)
    if url.startswith("/api/"):
        return int(send(url, body or {}, content_type="application/json", **headers).status_code)
    return int(send(url, {}, **headers).status_code)


def _openapi_path(route: str) -> str:
    """Turn a Django route (api/v1/x/<int:pk>) into its OpenAPI path (/api/v1/x/{pk})."""
    import re

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_parameterised_route_is_declared(served) -> None:  # type: ignore[no-untyped-def]
    declared = _objects()
    missing = [
        name
        for name, route, params in _patterns(get_resolver().url_patterns)
        if params and name not in declared and not name.startswith(("login_link", "api:openapi"))
    ]
    assert not missing, f"parameterised URLs without an OBJECTS entry: {missing}"


def test_pages_of_client_b_are_closed_to_users_of_client_a(isolation_users) -> None:  # type: ignore[no-untyped-def]
    declared = _objects()
    tried = opened_by_admin = 0
    before = _audit_count()
    for name, _route, params in _patterns(get_resolver().url_patterns):
        if not params or name.startswith("api:") or name not in declared:
            continue
        for kwargs in _kwargs_of_client(declared[name], B):
            url = reverse(name, kwargs=kwargs)
            for user in SCOPED_TO_A:
                for method in PAGE_METHODS:
                    status = _call(isolation_users[user], method, url)
                    assert status in REFUSED, f"{user} {method.upper()} {url} -> {status}"
                    tried += 1
            if _call(isolation_users["demo-admin"], "get", url) in (200, 302):
                opened_by_admin += 1
    assert tried > 0
    assert opened_by_admin > 0  # the same URLs do work for someone allowed
    assert _audit_count() == before  # no refused write left a trace


def test_list_pages_and_client_filter_stay_within_client_a(isolation_users) -> None:  # type: ignore[no-untyped-def]
    from dataward.core.models import Client as ClientRow

    other = ClientRow.objects.get(slug=B)
    viewer = isolation_users["viewer-northbank"]
    checked = 0
    for name, _route, params in _patterns(get_resolver().url_patterns):
        if params or name.startswith(("api:", "login", "logout", "mfa", "healthz")):
            continue
        url = reverse(name)
        response = viewer.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        assert other.name not in body, f"{url} shows client {B}'s name to a viewer of {A}"
        assert f"client={B}" not in body
        assert viewer.get(url, {"client": B}).status_code in REFUSED, f"{url}?client={B}"
        checked += 1
    assert checked >= 5


def _api_body(operation: dict[str, Any], schema: dict[str, Any]) -> Any:
    """Return a minimal valid JSON body for an operation, from its OpenAPI schema."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return _instance(content["schema"], schema) if content else None


def _instance(node: dict[str, Any], schema: dict[str, Any]) -> Any:
    if "$ref" in node:
        return _instance(schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]], schema)
    if "enum" in node:
        return node["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return _instance(node[key][0], schema)
    kind = node.get("type", "string")
    if kind == "object":
        props = node.get("properties", {})
        return {k: _instance(props[k], schema) for k in node.get("required", []) if k in props}
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    return "2026-11-28" if node.get("format") in ("date", "date-time") else "isolation test"


def test_api_routes_of_client_b_are_closed_to_tokens_of_client_a(isolation_users) -> None:  # type: ignore[no-untyped-def]
    from dataward.web.api import api

    schema = api.get_openapi_schema()
    declared = _objects()
    tokens = {user: _api_token(user) for user in (*SCOPED_TO_A, "demo-admin")}
    tried = opened = 0
    before = _audit_count()
    for name, route, params in _patterns(get_resolver().url_patterns):
        if not name.startswith("api:") or not params or name not in declared:
            continue
        operations = schema["paths"].get(_openapi_path(route), {})
        for kwargs in _kwargs_of_client(declared[name], B):
            url = reverse(name, kwargs=kwargs)
            for user in SCOPED_TO_A:
                auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user]}"}
                for method in API_METHODS:
                    body = _api_body(operations.get(method, {}), schema)
                    status = _call(Client(), method, url, body or {}, **auth)
                    assert status in REFUSED, f"{user} {method.upper()} {url} -> {status}"
                    tried += 1
            admin = {"HTTP_AUTHORIZATION": f"Bearer {tokens['demo-admin']}"}
            if Client().get(url, **admin).status_code == 200:
                opened += 1
    assert tried > 0
    assert opened > 0
    assert _audit_count() == before  # no refused write left a trace


def test_api_listings_with_a_token_of_client_a(isolation_users) -> None:  # type: ignore[no-untyped-def]
    token = _api_token("viewer-northbank")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    checked = 0
    for name, _route, params in _patterns(get_resolver().url_patterns):
        if not name.startswith("api:") or params or "openapi" in name or "docs" in name:
            continue
        url = reverse(name)
        response = Client().get(url, {"limit": 1000}, **auth)
        if response.status_code != 200:
            assert response.status_code in REFUSED | {401}, f"{url} -> {response.status_code}"
            continue
        items = response.json()
        items = items.get("items", items) if isinstance(items, dict) else items
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and "client" in item:
                assert item["client"] in (A, "", None), f"{url} gave a row of {item['client']}"
        other = Client().get(url, {"client": B}, **auth)
        if other.status_code == 200:  # a route without a client filter ignores it: still only A
            body = other.json()
            rows = body.get("items", body) if isinstance(body, dict) else body
            named = {r.get("client") or r.get("slug") for r in rows if isinstance(r, dict)}
            assert B not in named, f"{url}?client={B} answered with {B}'s rows"
        else:
            assert other.status_code in REFUSED | {400}, f"{url}?client={B} -> {other.status_code}"
        checked += 1
    assert checked >= 3


def test_every_listing_uses_the_bounded_pagination() -> None:
    """ninja's LimitOffsetPagination takes any offset; a huge one was a 500 from the database."""
    from pathlib import Path

    import dataward.web.api as package

    folder = Path(package.__file__).parent
    offenders = [
        p.name
        for p in folder.glob("*.py")
        if p.name != "__init__.py" and "paginate(LimitOffsetPagination)" in p.read_text()
    ]
    assert not offenders, f"use dataward.web.api.Paged in {offenders}"
