"""A real OpenID Connect provider on loopback for the SSO tests (oidc-provider-mock, on authlib).

It serves discovery, JWKS, authorize (a form asking who signs in), token and userinfo, and signs
ID tokens with RS256; any client id and secret are accepted. Users and their claims are set with
``PUT /users/<sub>``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import requests
import werkzeug.serving

TIMEOUT = 10  # seconds for every request to the provider


@contextmanager
def running_provider() -> Iterator[str]:
    """Serve the provider on a free port of 127.0.0.1 in a thread; yield its issuer URL."""
    import oidc_provider_mock

    app = oidc_provider_mock.app(require_nonce=True)  # the RP must send (and check) a nonce
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    issuer = f"http://127.0.0.1:{server.server_port}"
    try:
        ready = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT)
        assert ready.status_code == 200, ready.text[:200]
        yield issuer
    finally:
        server.shutdown()
        thread.join(TIMEOUT)
        server.server_close()
        assert not thread.is_alive(), "the OIDC provider did not stop"


def set_user(issuer: str, sub: str, claims: dict[str, Any]) -> None:
    """Create or replace the provider's user ``sub`` with these claims."""
    response = requests.put(f"{issuer}/users/{quote(sub, safe='')}", json=claims, timeout=TIMEOUT)
    assert response.status_code == 204, response.text[:200]


def sign_in_at_provider(authorize_url: str, sub: str) -> str:
    """Open the provider's sign-in form, submit it as ``sub``; return the redirect to the RP."""
    form = requests.get(authorize_url, timeout=TIMEOUT)
    assert form.status_code == 200, form.text[:300]
    assert 'name="sub"' in form.text
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=TIMEOUT)
    assert answer.status_code == 302, answer.text[:300]
    return str(answer.headers["Location"])
