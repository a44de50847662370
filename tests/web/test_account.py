"""The account page: profile, MFA enrolment, API tokens; the admins' users section."""

from __future__ import annotations

import pytest
from django.test import Client

from web.conftest import sign_in


def _events(action: str, object_id: str) -> int:
    from dataward.core.models import AuditEvent

    return AuditEvent.objects.filter(action=action, object_id=object_id).count()


def _new_user(name: str, role: str = "manager", clients: list[str] | None = None) -> None:
    from dataward.core import users
    from dataward.core.models import User
    from dataward.web.app import served

    if not User.objects.filter(username=name).exists():
        users.add(served.ws, name, role, clients or [])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("user", "scope"),
    [("demo-admin", "all (the whole operation)"), ("viewer-telora", "telora")],
)
def test_profile(signed_in, user: str, scope: str) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(user).get("/account/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"<dd>{user}</dd>" in body
    assert f"<dd>{scope}</dd>" in body
    assert '<a href="/account/" title="Your account">' in body  # the header links here
    assert ("Manage users" in body) is (user == "demo-admin")


def test_token_is_shown_once_and_works(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.web.models import ApiToken

    browser = signed_in("demo-auditor")
    response = browser.post("/account/tokens/", {"name": "reporting", "days": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    text = body.split('<code id="token-text">')[1].split("</code>")[0]
    assert text.startswith("dw_")
    assert body.count(text) == 1
    token = ApiToken.objects.get(prefix=text[:11])
    assert token.user.username == "demo-auditor"
    assert not token.read_only
    assert token.clients == []
    assert _events("api_token.create", token.prefix) == 1
    api = Client().get("/api/v1/audit/events?limit=3", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert api.status_code == 200
    assert len(api.json()["items"]) == 3
    page = browser.get("/account/").content.decode()
    assert text not in page
    assert f"{token.prefix}…" in page
    assert "reporting" in page


def test_token_narrowed_to_a_client_and_read_only(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.web.models import ApiToken

    browser = signed_in("demo-manager")
    form = {"name": "telora feed", "clients": ["telora"], "read_only": "on", "days": "7"}
    body = browser.post("/account/tokens/", form).content.decode()
    text = body.split('<code id="token-text">')[1].split("</code>")[0]
    token = ApiToken.objects.get(prefix=text[:11])
    assert token.clients == ["telora"]
    assert token.read_only
    vendors = Client().get("/api/v1/vendors/", HTTP_AUTHORIZATION=f"Bearer {text}").json()
    assert vendors["count"] > 0
    assert all(item["clients"] == ["telora"] for item in vendors["items"])


def test_token_outside_scope_or_bad_life_is_refused(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.web.models import ApiToken

    browser = signed_in("viewer-telora")
    before = ApiToken.objects.count()
    bad_client = browser.post(
        "/account/tokens/", {"name": "x", "clients": ["northbank"], "days": "9"}
    )
    assert bad_client.status_code == 400
    assert b"Select a valid choice" in bad_client.content  # only clients in scope are offered
    assert browser.post("/account/tokens/", {"name": "x", "days": "0"}).status_code == 400
    assert browser.post("/account/tokens/", {"name": "", "days": "9"}).status_code == 400
    assert browser.get("/account/tokens/").status_code == 405  # POST only
    assert ApiToken.objects.count() == before


def test_revoke_own_token(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.web import tokens
    from dataward.web.app import served

    token, text = tokens.create(served.ws, "viewer-carewell", "to revoke")  # type: ignore[arg-type]
    browser = signed_in("viewer-carewell")
    response = browser.post("/account/tokens/revoke/", {"prefix": token.prefix})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _events("api_token.revoke", token.prefix) == 1
    api = Client().get("/api/v1/vendors/", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert api.status_code == 401
    assert "revoked" in browser.get("/account/").content.decode()


def test_cannot_revoke_someone_elses_token(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.web import tokens
    from dataward.web.app import served

    theirs, _ = tokens.create(served.ws, "demo-auditor", "not yours")  # type: ignore[arg-type]
    for user in ("viewer-carewell", "demo-admin"):  # admins revoke others' tokens in the CLI
        response = signed_in(user).post("/account/tokens/revoke/", {"prefix": theirs.prefix})
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert theirs.prefix not in signed_in("demo-admin").get("/account/").content.decode()


def test_enrol_an_authenticator(served) -> None:  # type: ignore[no-untyped-def]
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _new_user("acct-enrol")
    browser = sign_in("acct-enrol")  # a manager: no second factor required
    assert "Set up an authenticator app" in browser.get("/account/").content.decode()
    page = browser.get("/account/mfa/")
    assert page.status_code == 200
    assert b"<svg" in page.content
    assert page["Cache-Control"] == "no-store"  # the secret is not kept in any cache
    assert "no-store" in browser.get("/account/")["Cache-Control"]  # nor are signed-in pages
    assert browser.post("/account/mfa/", {"code": "000000"}).status_code == 200  # wrong code
    pending = TOTPDevice.objects.filter(user__username="acct-enrol", confirmed=False)
    pending.update(throttling_failure_count=0)  # django-otp delays a retry after a wrong code
    device = pending.get()
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = browser.post("/account/mfa/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert TOTPDevice.objects.filter(user__username="acct-enrol", confirmed=True).count() == 1
    assert _events("user.mfa_enrol", "acct-enrol") == 1
    after = browser.get("/account/")  # this session passed the new factor: no re-prompt
    assert after.status_code == 200
    assert "set up</span>" in after.content.decode()
    assert browser.get("/account/mfa/").status_code == 302  # nothing more to set up


def test_users_section_is_for_admins_only(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.core.models import User

    _new_user("acct-untouchable")
    for user in ("demo-manager", "demo-analyst", "demo-auditor", "viewer-telora"):
        browser = signed_in(user)
        assert browser.get("/account/users/").status_code == 403
        form = {"username": "acct-untouchable", "action": "disable"}
        assert browser.post("/account/users/", form).status_code == 403
    assert User.objects.get(username="acct-untouchable").is_active
    assert _events("user.disable", "acct-untouchable") == 0
    body = signed_in("demo-admin").get("/account/users/").content.decode()
    assert "acct-untouchable" in body
    assert "viewer-telora" in body


def test_disable_and_enable_are_audited(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.core.models import User

    _new_user("acct-disable")
    admin = signed_in("demo-admin")
    response = admin.post("/account/users/", {"username": "acct-disable", "action": "disable"})
    assert response.status_code == 302
    assert response["Location"] == "/account/users/"
    assert not User.objects.get(username="acct-disable").is_active
    assert _events("user.disable", "acct-disable") == 1
    assert "disabled</span>" in admin.get("/account/users/").content.decode()
    admin.post("/account/users/", {"username": "acct-disable", "action": "enable"})
    assert User.objects.get(username="acct-disable").is_active
    assert _events("user.enable", "acct-disable") == 1


def test_admin_cannot_disable_themself_here(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.core.models import User

    admin = signed_in("demo-admin")
    admin.post("/account/users/", {"username": "demo-admin", "action": "disable"})
    assert User.objects.get(username="demo-admin").is_active
    assert admin.get("/account/users/").status_code == 200


def test_reset_mfa_and_unlock_are_audited(signed_in) -> None:  # type: ignore[no-untyped-def]
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _new_user("acct-locked", role="analyst")
    sign_in("acct-locked")  # enrols an authenticator
    for _ in range(2):
        Client().post("/login/", {"username": "acct-locked", "password": "wrong password 1"})
    assert AccessAttempt.objects.filter(username="acct-locked").exists()
    admin = signed_in("demo-admin")
    assert "acct-locked" in admin.get("/account/users/").content.decode()
    admin.post("/account/users/", {"username": "acct-locked", "action": "unlock"})
    assert not AccessAttempt.objects.filter(username="acct-locked").exists()
    assert _events("user.unlock", "acct-locked") == 1
    admin.post("/account/users/", {"username": "acct-locked", "action": "mfa_reset"})
    assert not TOTPDevice.objects.filter(user__username="acct-locked").exists()
    assert _events("user.mfa_reset", "acct-locked") == 1


@pytest.mark.parametrize(
    "form",
    [{"username": "demo-manager", "action": "explode"}, {"username": "nobody", "action": "enable"}],
)
def test_bad_user_action(signed_in, form: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert signed_in("demo-admin").post("/account/users/", form).status_code == 400


def test_other_client_in_query_is_not_found(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("viewer-telora")
    assert browser.get("/account/?client=northbank").status_code == 404
    assert browser.get("/account/?client=telora").status_code == 200


def test_users_list_costs_the_same_queries_for_more_users(signed_in) -> None:  # type: ignore[no-untyped-def]
    """No query per user (authenticator state was one query per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = signed_in("demo-admin")
    browser.get("/account/users/")  # warm the session and caches
    with CaptureQueriesContext(connection) as before:
        first = browser.get("/account/users/")
    for n in range(3):
        _new_user(f"acct-many-{n}")
    with CaptureQueriesContext(connection) as after:
        second = browser.get("/account/users/")
    assert first.status_code == second.status_code == 200
    assert "acct-many-2" in second.content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    body = second.content.decode()
    assert "<td>set up</td>" in body  # demo-admin's authenticator is still shown
