"""The signed-in user's account: profile, second factor, API tokens; admins also manage users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from dataward.core import audit
from dataward.core import users as core_users
from dataward.core.engine.permissions import Action, may
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.web import accounts, tokens
from dataward.web.app import request_ws, visible_clients
from dataward.web.auth import mfa
from dataward.web.auth.views import CodeForm, _base32
from dataward.web.models import ApiToken
from dataward.web.views import page, selected_client


class TokenForm(forms.Form):
    """A new API token: its name, optional clients (within the user's scope), writes, life."""

    name = forms.CharField(max_length=100)
    clients = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, help_text="none: all in your scope"
    )
    read_only = forms.BooleanField(required=False, initial=True)
    days = forms.IntegerField(min_value=1, max_value=366, initial=90)

    def __init__(self, ws: Workspace, *args: Any, **kwargs: Any) -> None:
        """Offer the clients the user may see."""
        super().__init__(*args, **kwargs)
        choices = [(c.slug, c.name) for c in visible_clients(ws)]
        self.fields["clients"].choices = choices  # type: ignore[attr-defined]


def own_tokens(ws: Workspace) -> list[ApiToken]:
    """Return the acting user's own tokens (an admin's listing holds everyone's)."""
    return [t for t in tokens.listed(ws) if t.user.username == ws.actor.name]


def token_state(ws: Workspace, token: ApiToken) -> str:
    """Return revoked, expired or live."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= ws.clock():
        return "expired"
    return "live"


def _index(request: HttpRequest, form: TokenForm, status: int = 200) -> HttpResponse:
    ws = request_ws(request)
    user = request.user
    rows = [(t, token_state(ws, t)) for t in own_tokens(ws)]
    context = {
        "profile": ws.actor,
        "email": getattr(user, "email", ""),
        "scope": sorted(ws.actor.clients) if ws.actor.clients is not None else None,
        "enrolled": mfa.has_device(user),
        "mfa_required": getattr(user, "role", "") in mfa.MFA_ROLES,
        "tokens": rows,
        "form": form,
        "admin": may(ws.actor, Action.MANAGE_USERS, None),
    }
    return render(request, "web/account.html", context, status=status)


@page(Action.VIEW)
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponseBase:
    """Show the profile, the second factor and the user's own API tokens."""
    selected_client(request)  # a client outside the user's scope is not found, as on every page
    return _index(request, TokenForm(request_ws(request)))


@page(Action.VIEW)
@require_POST
def create_token(request: HttpRequest) -> HttpResponseBase:
    """Create a token for the signed-in user and show its text, this once."""
    ws = request_ws(request)
    form = TokenForm(ws, request.POST)
    if not form.is_valid():
        return _index(request, form, status=400)
    data = form.cleaned_data
    try:
        token, text = tokens.create(
            ws, ws.actor.name, data["name"], data["clients"], data["read_only"], data["days"]
        )
    except DatawardError as exc:
        form.add_error(None, exc.line())
        return _index(request, form, status=400)
    response = render(request, "web/account_token.html", {"token": token, "text": text})
    response["Cache-Control"] = "no-store"
    return response


@page(Action.VIEW)
@require_POST
def revoke_token(request: HttpRequest) -> HttpResponseBase:
    """Revoke one of the signed-in user's own tokens, named by its prefix."""
    ws = request_ws(request)
    prefix = request.POST.get("prefix", "")
    if not any(t.prefix == prefix for t in own_tokens(ws)):
        raise Http404("no such token")
    tokens.revoke(ws, prefix)
    messages.success(request, f"token {prefix}… revoked")
    return HttpResponseRedirect(reverse("account:index"))


@page(Action.VIEW)
@require_http_methods(["GET", "POST"])
def enrol_mfa(request: HttpRequest) -> HttpResponseBase:
    """Set up an authenticator app for a user whose role does not demand one."""
    selected_client(request)
    user = request.user
    if mfa.has_device(user):
        return HttpResponseRedirect(reverse("account:index"))
    device = mfa.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.confirm(device, form.cleaned_data["code"]):
            otp_login(request, device)  # this session has now passed the new second factor
            audit.record(request_ws(request), "user.mfa_enrol", None, "user", user.username)
            messages.success(request, "authenticator set up: sign-ins now ask for its code")
            return HttpResponseRedirect(reverse("account:index"))
        form.add_error("code", "that code is not valid now; use the current code from your app")
    context = {"form": form, "qr": mfa.qr_svg(device), "secret": _base32(device.bin_key)}
    response = render(request, "web/account_mfa.html", context)
    response["Cache-Control"] = "no-store"  # it shows the new authenticator's secret
    return response


USER_ACTIONS: dict[str, tuple[str, Callable[[Workspace, str], Any]]] = {
    "disable": ("disabled", lambda ws, name: core_users.set_active(ws, name, False)),
    "enable": ("enabled", lambda ws, name: core_users.set_active(ws, name, True)),
    "mfa_reset": ("authenticator reset", accounts.mfa_reset),
    "unlock": ("unlocked", accounts.unlock),
}


@page(Action.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponseBase:
    """List the tool's users; disable or enable one, reset their authenticator, lift a lockout."""
    ws = request_ws(request)
    if request.method == "POST":
        return _user_action(request, ws)
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.values("username").annotate(n=Max("failures_since_start"))
    failures = {a["username"]: a["n"] for a in attempts}
    limit = getattr(settings, "AXES_FAILURE_LIMIT", 5)
    enrolled = mfa.enrolled_user_ids()
    rows = [
        {
            "user": u,
            "clients": ", ".join(sorted(c.slug for c in u.clients.all())) or "(all)",
            "enrolled": u.pk in enrolled,
            "failures": failures.get(u.username, 0),
            "locked": failures.get(u.username, 0) >= limit,
            "me": u.username == ws.actor.name,
        }
        for u in core_users.visible(ws)
    ]
    return render(request, "web/account_users.html", {"rows": rows})


def _user_action(request: HttpRequest, ws: Workspace) -> HttpResponseBase:
    """Run one admin action on a user, through the audited service, then show the list again."""
    name = request.POST.get("username", "")
    chosen = USER_ACTIONS.get(request.POST.get("action", ""))
    if chosen is None:
        return render(request, "web/error.html", {"message": "unknown action"}, status=400)
    done, run = chosen
    if request.POST.get("action") == "disable" and name == ws.actor.name:
        messages.error(request, "you cannot disable your own account while signed in with it")
    else:
        run(ws, name)
        messages.success(request, f"{name}: {done}")
    return HttpResponseRedirect(reverse("account:users"))


urlpatterns = [
    path("account/", index, name="index"),
    path("account/mfa/", enrol_mfa, name="mfa"),
    path("account/tokens/", create_token, name="create_token"),
    path("account/tokens/revoke/", revoke_token, name="revoke_token"),
    path("account/users/", users, name="users"),
]
