"""Sign-in as users meet it: passwords, TOTP enrolment and codes, lockout, links, headers."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from dataward.core.models import AuditEvent, User
from web.conftest import PASSWORD, enrol, totp_now


def _set_password(username: str) -> None:
    user = User.objects.get(username=username)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])


def _actions(username: str) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=username, object_type="user").values_list(
            "action", flat=True
        )
    )


def test_manager_signs_in_with_password_only_and_lands_on_next(served) -> None:  # type: ignore[no-untyped-def]
    _set_password("demo-manager")
    browser = Client()
    response = browser.post(
        "/login/?next=/audit/", {"username": "demo-manager", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/audit/"
    assert browser.get("/audit/").status_code == 200
    assert "user.sign_in" in _actions("demo-manager")


def test_next_pointing_elsewhere_is_ignored(served) -> None:  # type: ignore[no-untyped-def]
    _set_password("demo-auditor")
    response = Client().post(
        "/login/?next=https://evil.example/", {"username": "demo-auditor", "password": PASSWORD}
    )
    assert response["Location"] == "/"


def test_analyst_must_enrol_totp_before_any_page(served) -> None:  # type: ignore[no-untyped-def]
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _set_password("demo-analyst")
    TOTPDevice.objects.filter(user__username="demo-analyst").delete()
    browser = Client()
    response = browser.post("/login/", {"username": "demo-analyst", "password": PASSWORD})
    assert response["Location"] == "/login/mfa/"
    assert browser.get("/audit/")["Location"] == "/login/mfa/"  # no page before the second factor
    page = browser.get("/login/mfa/")
    assert b"<svg" in page.content  # the QR code, drawn locally
    assert b"Set up your authenticator" in page.content
    assert page["Cache-Control"] == "no-store"  # it shows the new secret
    wrong = browser.post("/login/mfa/", {"code": "000000"})
    assert b"not valid" in wrong.content
    device = TOTPDevice.objects.get(user__username="demo-analyst", confirmed=False)
    code = f"{totp(device.bin_key):06d}"
    assert b"wait a few seconds" in browser.post("/login/mfa/", {"code": code}).content
    device.throttle_reset()  # as the doubling delay running out would
    response = browser.post("/login/mfa/", {"code": code})
    assert response.status_code == 302
    assert browser.get("/audit/").status_code == 200
    assert TOTPDevice.objects.get(user__username="demo-analyst").confirmed
    assert "user.mfa_enrol" in _actions("demo-analyst")


def test_admin_with_device_passes_a_code_and_a_wrong_one_fails(served) -> None:  # type: ignore[no-untyped-def]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    enrol("demo-admin")
    TOTPDevice.objects.filter(user__username="demo-admin").update(last_t=-1)
    browser = Client()
    browser.post("/login/", {"username": "demo-admin", "password": PASSWORD})
    page = browser.get("/login/mfa/")
    assert b"Enter your code" in page.content
    assert b"<svg" not in page.content  # the secret is never shown again
    assert b"not valid" in browser.post("/login/mfa/", {"code": "12345x"}).content
    TOTPDevice.objects.get(user__username="demo-admin").throttle_reset()
    response = browser.post("/login/mfa/", {"code": totp_now("demo-admin")})
    assert response.status_code == 302
    assert browser.get("/audit/").status_code == 200


def test_repeated_failures_lock_the_account_until_an_admin_unlocks(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.web import accounts
    from dataward.web.app import served as state

    _set_password("viewer-northbank")
    for _ in range(5):
        bad = Client().post("/login/", {"username": "viewer-northbank", "password": "wrong"})
        assert bad.status_code in (200, 429)
    locked = Client().post("/login/", {"username": "viewer-northbank", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert state.ws is not None
    assert accounts.unlock(state.ws, "viewer-northbank") >= 1
    ok = Client().post("/login/", {"username": "viewer-northbank", "password": PASSWORD})
    assert ok.status_code == 302
    assert "user.unlock" in _actions("viewer-northbank")


def test_sign_out_needs_post_and_ends_the_session(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-auditor")
    assert browser.get("/logout/").status_code == 405
    assert browser.post("/logout/").status_code == 302
    assert browser.get("/audit/").status_code == 302


def test_security_headers_and_cookie_flags(served) -> None:  # type: ignore[no-untyped-def]
    _set_password("demo-auditor")
    browser = Client()
    page = browser.get("/login/")
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    response = browser.post("/login/", {"username": "demo-auditor", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


def test_forms_demand_csrf(served) -> None:  # type: ignore[no-untyped-def]
    _set_password("demo-auditor")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/login/", {"username": "demo-auditor", "password": PASSWORD})
    assert response.status_code == 403


def test_one_time_link_works_once_and_get_does_not_burn_it(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.web import links
    from dataward.web.app import served as state

    assert state.ws is not None
    path = links.create(state.ws, "demo-auditor", minutes=5)
    browser = Client()
    assert browser.get(path).status_code == 200
    assert browser.post(path)["Location"] == "/"
    assert browser.get("/audit/").status_code == 200
    again = Client().post(path)
    assert again.status_code == 400


def test_link_used_twice_at_once_signs_in_only_one(served, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two requests with one link: the one whose delete removes nothing must not sign in."""
    from dataward.web import links
    from dataward.web.app import served as state
    from dataward.web.models import SignInLink

    assert state.ws is not None
    text = links.create(state.ws, "demo-auditor", minutes=5).split("/")[-2]
    original = SignInLink.delete

    def other_request_wins(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        SignInLink.objects.filter(pk=self.pk).delete()  # it read the link too, and deleted first
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SignInLink, "delete", other_request_wins)
    assert links.redeem(state.ws, text) is None


def test_link_for_an_mfa_role_still_asks_for_totp(served) -> None:  # type: ignore[no-untyped-def]
    from dataward.web import links
    from dataward.web.app import served as state

    assert state.ws is not None
    path = links.create(state.ws, "demo-admin", minutes=5)
    browser = Client()
    assert browser.post(path)["Location"] == "/login/mfa/"
    assert browser.get("/audit/")["Location"] == "/login/mfa/"


def test_api_docs_need_a_signed_in_user(signed_in) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/api/docs").status_code == 401
    assert Client().get("/api/openapi.json").status_code == 401
    browser = signed_in("demo-auditor")
    docs = browser.get("/api/docs")
    assert docs.status_code == 200
    assert not re.search(rb"https?://(?!127\.0\.0\.1|testserver)", docs.content)  # no CDN
    assert browser.get("/api/openapi.json").json()["info"]["title"] == "dataward API"


def test_unknown_page_is_a_plain_404(signed_in) -> None:  # type: ignore[no-untyped-def]
    response = signed_in("demo-auditor").get("/no/such/page/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("username", ["demo-admin", "demo-analyst"])
def test_roles_that_need_mfa(username: str, served) -> None:  # type: ignore[no-untyped-def]
    from dataward.web.auth.mfa import needs_mfa

    assert needs_mfa(User.objects.get(username=username))


def test_behind_the_proxy_lockout_counts_the_proxys_client_address(served) -> None:  # type: ignore[no-untyped-def]
    from django.test import override_settings

    _set_password("viewer-carewell")
    proxied = {"REMOTE_ADDR": "127.0.0.1"}
    with override_settings(DATAWARD_TRUST_X_REAL_IP=True):
        for _ in range(5):  # an attacker at 203.0.113.9, through the proxy
            Client(HTTP_X_REAL_IP="203.0.113.9", **proxied).post(
                "/login/", {"username": "viewer-carewell", "password": "wrong"}
            )
        attacker = Client(HTTP_X_REAL_IP="203.0.113.9", **proxied).post(
            "/login/", {"username": "viewer-carewell", "password": PASSWORD}
        )
        assert attacker.status_code == 429
        # The real user, at another address behind the same proxy, still signs in.
        user = Client(HTTP_X_REAL_IP="198.51.100.7", **proxied).post(
            "/login/", {"username": "viewer-carewell", "password": PASSWORD}
        )
        assert user.status_code == 302
        # A header from a peer that is not the local proxy is not believed.
        remote = {"REMOTE_ADDR": "192.0.2.50", "HTTP_X_REAL_IP": "198.51.100.7"}
        from dataward.web.auth.lockout import client_ip

        assert client_ip(_request(remote)) == "192.0.2.50"
        assert client_ip(_request({**proxied, "HTTP_X_REAL_IP": "not-an-ip"})) == "127.0.0.1"
    # Served directly, the header is ignored: the TCP peer counts.
    assert client_ip(_request({**proxied, "HTTP_X_REAL_IP": "198.51.100.7"})) == "127.0.0.1"


def _request(meta: dict[str, str]):  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    request = RequestFactory().get("/login/")
    request.META.update(meta)
    return request
