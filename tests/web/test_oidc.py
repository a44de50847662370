"""Single sign-on end to end: Django's test client as the browser, a real provider on loopback."""

from __future__ import annotations

import importlib
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client, override_settings
from django.urls import clear_url_caches

from web.oidc_provider import running_provider, set_user, sign_in_at_provider

Configure = Callable[..., AbstractContextManager[str]]


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """Run one provider for the module; yield its issuer URL."""
    with running_provider() as issuer:
        yield issuer


def _reload_urls() -> None:
    """Rebuild dataward's URLconf, which includes /oidc/ only when SSO is enabled."""
    import dataward.web.urls

    importlib.reload(dataward.web.urls)
    clear_url_caches()


@pytest.fixture
def sso(served: Path, provider: str) -> Configure:
    """Return a context manager turning SSO on with DATAWARD_OIDC_* variables, as deployed."""
    from dataward.web.auth import oidc
    from dataward.web.settings import oidc_settings

    @contextmanager
    def configure(issuer: str = provider, **env: str) -> Iterator[str]:
        values = {
            "DATAWARD_OIDC_ISSUER": issuer,
            "DATAWARD_OIDC_CLIENT_ID": "dataward-tests",
            "DATAWARD_OIDC_CLIENT_SECRET": "not-a-real-secret",
            **env,
        }
        oidc.discover.cache_clear()
        try:
            with override_settings(**oidc_settings(values)):
                _reload_urls()
                yield issuer
        finally:
            oidc.discover.cache_clear()
            _reload_urls()

    return configure


def _user(role: str, *, email: str = "", active: bool = True, device: bool = False) -> Any:
    """Create a dataward user of their own for one test (the demo workspace is shared)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dataward.core.models import User

    name = f"sso-{role}-{uuid.uuid4().hex[:8]}"
    user = User(username=name, email=email or f"{name}@corp.example", role=role, is_active=active)
    user.set_unusable_password()
    user.save()
    if device:
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def _sso_round_trip(browser: Client, issuer: str, sub: str, claims: dict[str, Any]) -> str:
    """Click the SSO button, sign in at the provider, follow its redirect; return Location."""
    set_user(issuer, sub, claims)
    page = browser.get("/login/")
    assert b"/oidc/authenticate/" in page.content
    start = browser.get("/oidc/authenticate/")
    assert start.status_code == 302
    assert start["Location"].startswith(f"{issuer}/oauth2/authorize?")
    assert "nonce=" in start["Location"]
    assert "code_challenge_method=S256" in start["Location"]
    back = urlsplit(sign_in_at_provider(start["Location"], sub))
    assert back.path == "/oidc/callback/"
    done = browser.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})
    assert done.status_code == 302, done.content[:300]
    return str(done["Location"])


def _refusal(browser: Client) -> str:
    """Return the message the sign-in page shows, and check nobody is signed in."""
    text = browser.get("/login/").content.decode()
    assert browser.get("/")["Location"].startswith("/login/")
    start = text.index('<ul class="messages">')
    return text[start : text.index("</ul>", start)]


def test_sso_is_off_without_an_issuer(served: Path) -> None:
    browser = Client()
    assert b"/oidc/" not in browser.get("/login/").content
    assert browser.get("/oidc/authenticate/").status_code == 404
    assert browser.get("/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404


def test_manager_with_a_verified_email_lands_home(sso: Configure) -> None:
    from dataward.core.models import AuditEvent

    user = _user("manager")
    with sso() as issuer:
        browser = Client()
        claims = {"email": user.email.upper(), "email_verified": True}
        assert _sso_round_trip(browser, issuer, "sub-mgr", claims) == "/"
        assert browser.get("/").status_code == 200
    event = AuditEvent.objects.filter(actor=user.username, action="user.sign_in").get()
    assert event.detail == {"via": "oidc"}


def test_admin_still_passes_totp_after_sso(sso: Configure) -> None:
    from web.conftest import totp_now

    user = _user("admin", device=True)
    with sso() as issuer:
        browser = Client()
        claims = {"email": user.email, "email_verified": True, "amr": ["pwd", "mfa"]}
        assert _sso_round_trip(browser, issuer, "sub-admin", claims) == "/login/mfa/"
        assert browser.get("/audit/")["Location"] == "/login/mfa/"
        response = browser.post("/login/mfa/", {"code": totp_now(user.username)})
        assert response["Location"] == "/"
        assert browser.get("/audit/").status_code == 200


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unknown", "no dataward user has the email address n…@corp.example"),
        ("unverified", "has not verified the email address"),
        ("disabled", "is disabled; ask an admin to enable it"),
        ("no-email", "the identity provider sent no email address"),
    ],
)
def test_identities_that_are_refused(sso: Configure, case: str, expected: str) -> None:
    from axes.models import AccessAttempt

    user = _user("manager", active=case != "disabled")
    claims: dict[str, Any] = {"email": user.email, "email_verified": case != "unverified"}
    if case == "unknown":
        claims["email"] = "nobody@corp.example"
    if case == "no-email":
        claims = {"name": "No Email"}
    with sso() as issuer:
        browser = Client()
        assert _sso_round_trip(browser, issuer, f"sub-{case}", claims) == "/login/"
        message = _refusal(browser)
    assert "single sign-on: " in message
    assert expected in message
    assert not AccessAttempt.objects.filter(path_info__startswith="/oidc/").exists()  # no lockout


def test_tampered_state_is_refused(sso: Configure) -> None:
    user = _user("manager")
    with sso() as issuer:
        browser = Client()
        set_user(issuer, "sub-state", {"email": user.email, "email_verified": True})
        start = browser.get("/oidc/authenticate/")
        back = urlsplit(sign_in_at_provider(start["Location"], "sub-state"))
        query = {k: v[0] for k, v in parse_qs(back.query).items()}
        query["state"] = query["state"][::-1]
        response = browser.get(back.path, query)
        assert response["Location"] == "/login/"
        assert "does not match a sign-in started in this browser" in _refusal(browser)


def test_username_claim_maps_to_the_username(sso: Configure) -> None:
    user = _user("auditor", email="someone-else@corp.example")
    claims = {"preferred_username": user.username, "email": "x@y.example"}
    with sso(DATAWARD_OIDC_USERNAME_CLAIM="preferred_username") as issuer:
        browser = Client()
        assert _sso_round_trip(browser, issuer, "sub-claim", claims) == "/"
        other = Client()
        refused = {"preferred_username": "not-a-user"}
        assert _sso_round_trip(other, issuer, "sub-claim-2", refused) == "/login/"
        assert "no dataward user has the username n…" in _refusal(other)


def test_configured_endpoints_skip_discovery(sso: Configure, provider: str) -> None:
    from dataward.web.auth import oidc

    endpoints = {
        "DATAWARD_OIDC_AUTHORIZATION_ENDPOINT": f"{provider}/oauth2/authorize",
        "DATAWARD_OIDC_TOKEN_ENDPOINT": f"{provider}/oauth2/token",
        "DATAWARD_OIDC_USERINFO_ENDPOINT": f"{provider}/userinfo",
        "DATAWARD_OIDC_JWKS_ENDPOINT": f"{provider}/jwks",
    }
    user = _user("manager")
    with sso(**endpoints) as issuer:
        claims = {"email": user.email, "email_verified": True}
        assert _sso_round_trip(Client(), issuer, "sub-conf", claims) == "/"
        assert oidc.discover.cache_info().currsize == 0


def test_unreachable_issuer_is_one_line_on_the_sign_in_page(sso: Configure) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with sso(issuer=dead):
        browser = Client()
        response = browser.get("/oidc/authenticate/")
        assert response["Location"] == "/login/"
        message = browser.get("/login/").content.decode()
    assert f"could not read the OpenID configuration of {dead} (could not connect)" in message


def test_password_sign_in_never_exchanges_a_code(sso: Configure) -> None:
    from web.conftest import PASSWORD

    user = _user("auditor")
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    with sso():
        browser = Client()
        wrong = {"username": user.username, "password": "wrong password 1234"}
        response = browser.post("/login/?code=stolen&state=guess", wrong)
        assert response.status_code == 200  # the form again; no token request was made
        right = {"username": user.username, "password": PASSWORD}
        assert browser.post("/login/?code=x&state=y", right)["Location"] == "/"
