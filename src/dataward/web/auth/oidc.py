"""Sign in through an OpenID Connect provider: match an existing user, never create one.

mozilla-django-oidc runs the authorization-code flow (state, nonce, PKCE, the ID token's RS256
signature against the provider's JWKS); this module adds what dataward decides:

- who: the identity maps to one ACTIVE user by a verified email (``email_verified`` true) or, when
  DATAWARD_OIDC_USERNAME_CLAIM is set, by that claim equal to the username; anyone else is refused
  with one line on the sign-in page;
- MFA: single sign-on is the password step only. Admins and analysts (and anyone enrolled) still
  pass TOTP at /login/mfa/; the provider's ``amr`` claim is not trusted (see docs/web-sso.md);
- where: endpoints not configured are read once from ``<issuer>/.well-known/openid-configuration``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from dataward.core import audit
from dataward.core.models import User
from dataward.errors import DatawardError
from dataward.web.app import workspace_for
from dataward.web.auth import mfa
from dataward.web.auth.views import NEXT_KEY

LOGGER = logging.getLogger(__name__)
WHERE = "single sign-on"
DISCOVERY_TIMEOUT = 10  # seconds, for the one fetch of the discovery document
REFUSAL = "dataward_sso_refusal"  # request attribute: why the backend refused this identity
ENDPOINTS = {  # mozilla-django-oidc setting -> discovery document key
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
TRY_AGAIN = "try again, or sign in with your password"


class SingleSignOnError(DatawardError):
    """Report why single sign-on did not sign someone in, or why the provider is unusable."""


def enabled() -> bool:
    """Return True when DATAWARD_OIDC_ISSUER is set."""
    return bool(getattr(settings, "DATAWARD_OIDC_ENABLED", False))


def configured_issuer() -> str:
    """Return the configured issuer URL, without a trailing slash."""
    return str(getattr(settings, "DATAWARD_OIDC_ISSUER", ""))


@cache  # only successes are cached: a failed fetch is tried again on the next sign-in
def discover(issuer: str) -> dict[str, str]:
    """Return the provider's endpoints from its discovery document (fetched once per process)."""
    doc = _fetch_json(issuer, f"{issuer}/.well-known/openid-configuration")
    if str(doc.get("issuer", "")).rstrip("/") != issuer:
        raise _unreadable(issuer, "it names another issuer")
    missing = [key for key in ENDPOINTS.values() if not isinstance(doc.get(key), str)]
    if missing:
        raise _unreadable(issuer, f"it has no {missing[0]}")
    return {key: str(doc[key]) for key in ENDPOINTS.values()}


def _fetch_json(issuer: str, url: str) -> dict[str, Any]:
    """GET a JSON object, turning each kind of failure into one line naming the issuer."""
    try:
        response = requests.get(url, timeout=DISCOVERY_TIMEOUT)
    except requests.Timeout:
        raise _unreadable(issuer, f"no answer within {DISCOVERY_TIMEOUT} s") from None
    except requests.RequestException:
        raise _unreadable(issuer, "could not connect") from None
    if response.status_code != 200:
        raise _unreadable(issuer, f"HTTP {response.status_code}")
    try:
        doc = response.json()
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise _unreadable(issuer, "the answer is not a JSON object")
    return doc


def _unreadable(issuer: str, reason: str) -> SingleSignOnError:
    error = SingleSignOnError(
        f"could not read the OpenID configuration of {issuer} ({reason})",
        "DATAWARD_OIDC_ISSUER",
        "check the issuer URL, or set the DATAWARD_OIDC_*_ENDPOINT variables",
    )
    LOGGER.warning("%s", error.line())
    return error


def endpoint(setting: str) -> str:
    """Return a provider endpoint: the configured one, else the discovered one."""
    configured = str(getattr(settings, setting, "") or "")
    return configured or discover(configured_issuer())[ENDPOINTS[setting]]


def not_a_password_guess(request: HttpRequest, credentials: Mapping[str, Any] | None) -> bool:
    """Keep SSO callbacks out of django-axes' lockout (AXES_WHITELIST_CALLABLE).

    A refused identity carries no username, so axes would count every refusal from one office
    address together and lock the whole office out of SSO; the provider throttles its own sign-in.
    """
    return request.path.startswith("/oidc/") and "nonce" in (credentials or {})


def match_user(claims: Mapping[str, Any], username_claim: str) -> User:
    """Return the one active user the claims name, or raise SingleSignOnError saying why not."""
    if username_claim:
        value = claims.get(username_claim)
        if not isinstance(value, str) or not value:
            raise SingleSignOnError(
                f"the identity provider sent no {username_claim} claim",
                WHERE,
                "ask your admin to release it to dataward, or sign in with your password",
            )
        users = list(User.objects.filter(username=value))
        label = f"the username {_masked(value)}"
    else:
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise SingleSignOnError("the identity provider sent no email address", WHERE, TRY_AGAIN)
        if claims.get("email_verified") not in (True, "true"):
            raise SingleSignOnError(
                f"the identity provider has not verified the email address {_masked(email)}",
                WHERE,
                "verify it with your organisation, or sign in with your password",
            )
        users = list(User.objects.filter(email__iexact=email))
        label = f"the email address {_masked(email)}"
    if not users:
        raise SingleSignOnError(f"no dataward user has {label}", WHERE, "ask an admin to add you")
    if len(users) > 1:
        raise SingleSignOnError(
            f"more than one dataward user has {label}",
            WHERE,
            "ask an admin to give each user their own email or set DATAWARD_OIDC_USERNAME_CLAIM",
        )
    if not users[0].is_active:
        raise SingleSignOnError(
            f"the dataward user with {label} is disabled", WHERE, "ask an admin to enable it"
        )
    return users[0]


def _masked(text: str) -> str:
    """Return a preview: the first character and, for an email, the domain."""
    local, at, domain = text.partition("@")
    return f"{local[:1]}…{at}{domain}"


class DatawardOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Authenticate the OIDC callback as an existing active user; inert when SSO is off."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        """Run the code exchange, but only for the callback view (which passes a nonce)."""
        if request is None or "nonce" not in kwargs or not enabled():
            return None  # a password sign-in: never exchange a code found in its query string
        for setting in ("OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT"):
            setattr(self, setting, endpoint(setting))
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """Check the signature and nonce (mozilla-django-oidc), then the issuer and audience."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        if str(payload.get("iss", "")).rstrip("/") != configured_issuer():
            raise SuspiciousOperation("the ID token comes from another issuer")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        client = self.OIDC_RP_CLIENT_ID
        if client not in audiences or payload.get("azp", client) != client:
            raise SuspiciousOperation("the ID token is for another client")
        return payload

    def retrieve_matching_jwk(self, token: str) -> Any:
        """Find the signing key by kid; with no kid the JWKS must hold one key (OIDC Core 10.1)."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        timeout = self.get_settings("OIDC_TIMEOUT", None)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=timeout)
        response.raise_for_status()
        keys = [k for k in response.json().get("keys", []) if k.get("use", "sig") == "sig"]
        if len(keys) != 1:
            raise SuspiciousOperation("the ID token names no key and the provider has several")
        return jwt.PyJWK(keys[0])

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        """Map the identity to an existing user (never create one); note why when refusing."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        try:
            if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
                raise SingleSignOnError(
                    "the identity provider's answers disagree on who you are", WHERE, TRY_AGAIN
                )
            username_claim = str(getattr(settings, "DATAWARD_OIDC_USERNAME_CLAIM", ""))
            return match_user({**payload, **userinfo}, username_claim)
        except SingleSignOnError as exc:
            LOGGER.info("single sign-on refused: %s", exc.line())
            setattr(self.request, REFUSAL, exc.line())
            return None

    def get_user(self, user_id: int) -> User | None:
        """Return the session's user while SSO is on and the user is active (else sign out)."""
        if not enabled():
            return None
        user: User | None = super().get_user(user_id)
        return user if user is not None and user.is_active else None


class StartView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Send the browser to the provider; a provider we cannot read is one line on /login/."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Resolve the authorization endpoint (discovery), then redirect with state and nonce."""
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except DatawardError as exc:
            return _back_to_sign_in(request, exc.line())
        response: HttpResponse = super().get(request)
        return response


class CallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Finish the flow: sign in, send MFA roles to /login/mfa/, show refusals on /login/."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Run mozilla-django-oidc's callback, turning its exceptions into one-line refusals."""
        try:
            response: HttpResponse = super().get(request)
        except (SuspiciousOperation, jwt.PyJWTError) as exc:  # state, signature, nonce, iss, exp
            LOGGER.warning("single sign-on refused: %s", exc)
            line = SingleSignOnError(
                "this answer from the identity provider does not match a sign-in started in "
                "this browser, or its token did not verify",
                WHERE,
                "start again from the sign-in page",
            ).line()
            return _back_to_sign_in(request, line)
        except requests.RequestException as exc:  # never show the provider's error body
            LOGGER.warning("single sign-on: the provider failed (%s)", type(exc).__name__)
            error = SingleSignOnError(
                f"{configured_issuer()} did not answer as expected", WHERE, TRY_AGAIN
            )
            return _back_to_sign_in(request, error.line())
        except DatawardError as exc:  # discovery failed
            return _back_to_sign_in(request, exc.line())
        return response

    def login_failure(self) -> HttpResponse:
        """Go back to /login/ with the backend's reason, or a general one."""
        line = getattr(self.request, REFUSAL, None)
        if line is None:
            error = SingleSignOnError("the identity provider did not sign you in", WHERE, TRY_AGAIN)
            line = error.line()
        return _back_to_sign_in(self.request, str(line))

    def login_success(self) -> HttpResponse:
        """Sign in; roles needing MFA continue at /login/mfa/, others are audited and let in."""
        target = str(self.success_url)  # read before login() rotates the session
        super().login_success()
        user: User = self.user
        if mfa.needs_mfa(user):
            self.request.session[NEXT_KEY] = target  # second_factor sends them on from there
            return HttpResponseRedirect("/login/mfa/")
        ws = workspace_for(user)
        audit.record(ws, "user.sign_in", None, "user", user.username, detail={"via": "oidc"})
        return HttpResponseRedirect(target)


def _back_to_sign_in(request: HttpRequest, line: str) -> HttpResponse:
    """Show one line on the sign-in page."""
    messages.error(request, line)
    return HttpResponseRedirect(str(settings.LOGIN_URL))
