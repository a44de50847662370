"""URLs: sign-in, every module in pages/ (found by walking the folder) and the API."""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from dataward.plugins import walk_modules
from dataward.web.auth import views as auth_views


@cache
def page_modules() -> list[ModuleType]:
    """Return every page module under dataward.web.pages (no hand-kept list)."""
    return [importlib.import_module(m) for m in walk_modules("dataward.web.pages")]


def healthz(request: HttpRequest) -> HttpResponse:
    """Answer a load balancer's probe without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


def _patterns() -> list[URLPattern | URLResolver]:
    from dataward.web.api import api

    patterns: list[URLPattern | URLResolver] = [
        path("login/", auth_views.sign_in, name="login"),
        path("login/mfa/", auth_views.second_factor, name="mfa"),
        path("login/link/<str:text>/", auth_views.sign_in_link, name="login_link"),
        path("logout/", auth_views.sign_out, name="logout"),
        path("healthz", healthz, name="healthz"),
        path("api/", api.urls),
    ]
    if getattr(settings, "DATAWARD_OIDC_ENABLED", False):  # DATAWARD_OIDC_ISSUER is set
        patterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
    for module in page_modules():
        patterns.append(path("", include((module.urlpatterns, module.__name__.rsplit(".")[-1]))))
    return patterns


urlpatterns = _patterns()
handler403 = "dataward.web.views.forbidden"
handler404 = "dataward.web.views.not_found"
handler500 = "dataward.web.views.server_error"
