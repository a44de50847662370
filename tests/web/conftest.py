"""Web fixtures: the demo workspace served in-process, and signed-in test clients per user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client

PASSWORD = "correct horse battery staple 7"


@pytest.fixture(scope="session")
def web_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run `dataward demo` once per test worker for every web test (pages share it)."""
    from conftest import DEMO_AS_OF
    from dataward.cli import main

    root = tmp_path_factory.mktemp("webdemo") / "ws"
    assert main(["demo", "-w", str(root), "--as-of", DEMO_AS_OF]) == 0
    return root


@pytest.fixture
def served(web_demo: Path) -> Iterator[Path]:
    """Serve the demo workspace to Django's test client, as `dataward serve` would.

    Tests that change records change objects no other test reads, as the workspace is shared.
    """
    from dataward.core.workspace import open_workspace
    from dataward.web.app import serve
    from dataward.web.app import served as state

    serve(open_workspace(web_demo, env={}))
    yield web_demo
    state.ws = None


def totp_now(username: str) -> str:
    """Return the current code of the user's confirmed authenticator, as the phone app would."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrol(username: str) -> None:
    """Give a user a password, and an authenticator where the role needs one (as enrolment does)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dataward.core.models import User

    user = User.objects.get(username=username)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    if (
        user.role in ("admin", "analyst")
        and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    ):
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def sign_in(username: str) -> Client:
    """Sign in through the real forms (password, then TOTP where the user has a device)."""
    enrol(username)
    browser = Client()
    response = browser.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    if response["Location"] == "/login/mfa/":
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(user__username=username).update(last_t=-1)  # allow reuse
        response = browser.post("/login/mfa/", {"code": totp_now(username)})
        assert response.status_code == 302, response.content[:500]
    return browser


@pytest.fixture
def signed_in(served: Path) -> Callable[[str], Client]:
    """Return a function giving a signed-in test client for a demo user (cached per module)."""
    cache: dict[str, Client] = {}

    def get(username: str) -> Client:
        if username not in cache:
            cache[username] = sign_in(username)
        return cache[username]

    return get
