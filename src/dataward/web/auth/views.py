"""Sign in with a password, then a TOTP code (or enrol an authenticator), and sign out."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from dataward.core import audit
from dataward.web.app import workspace_for
from dataward.web.auth import mfa

NEXT_KEY = "dataward_next"


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app."""

    code = forms.CharField(
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def safe_next(request: HttpRequest, target: str | None) -> str:
    """Return ``target`` when it points inside this site, else the home page."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Check username and password (argon2; django-axes locks out repeated failures)."""
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        login(request, user)
        request.session[NEXT_KEY] = safe_next(request, request.GET.get("next"))
        if mfa.needs_mfa(user):
            return HttpResponseRedirect("/login/mfa/")
        audit.record(workspace_for(user), "user.sign_in", None, "user", user.username)
        return HttpResponseRedirect(request.session.pop(NEXT_KEY))
    oidc = getattr(settings, "DATAWARD_OIDC_ENABLED", False)
    return render(request, "web/login.html", {"form": form, "oidc": oidc})


@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code, or enrol an authenticator app first when the user has none."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponseRedirect(str(settings.LOGIN_URL))
    if mfa.is_verified(user):
        return HttpResponseRedirect(request.session.pop(NEXT_KEY, "/"))
    enrolling = not mfa.has_device(user)
    form = CodeForm(request.POST or None)
    device = mfa.pending_device(user) if enrolling else None
    if request.method == "POST" and form.is_valid() and mfa.throttled(user, device):
        form.add_error("code", "too many wrong codes; wait a few seconds and try again")
    elif request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if device is not None and mfa.confirm(device, code):
            matched = device
            action = "user.mfa_enrol"
        else:
            matched = None if device is not None else mfa.verify(user, code)
            action = "user.sign_in"
        if matched is not None:
            otp_login(request, matched)
            audit.record(workspace_for(user), action, None, "user", user.username)
            return HttpResponseRedirect(request.session.pop(NEXT_KEY, "/"))
        form.add_error("code", "that code is not valid now; use the current code from your app")
    context = {
        "form": form,
        "enrolling": enrolling,
        "qr": mfa.qr_svg(device) if device else "",
        "secret": _base32(device.bin_key) if device else "",
    }
    response = render(request, "web/mfa.html", context)
    response["Cache-Control"] = "no-store"  # it may show the new authenticator's secret
    return response


def _base32(key: bytes) -> str:
    """Return the secret as the base32 text authenticator apps accept for manual entry."""
    import base64

    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the session (POST only, with CSRF, so a link cannot sign anyone out)."""
    logout(request)
    return HttpResponseRedirect(str(settings.LOGIN_URL))


@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, text: str) -> HttpResponse:
    """Sign in with a one-time link; GET shows a button so link scanners cannot burn it."""
    if request.method == "GET":
        return render(request, "web/link.html", {})
    from dataward.web import links
    from dataward.web.app import served

    user = links.redeem(served.ws, text) if served.ws else None
    if user is None:
        return render(
            request,
            "web/error.html",
            {"message": "this sign-in link is used or expired"},
            status=400,
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if mfa.needs_mfa(user):
        return HttpResponseRedirect("/login/mfa/")
    audit.record(
        workspace_for(user), "user.sign_in", None, "user", user.username, detail={"via": "link"}
    )
    return HttpResponseRedirect("/")
