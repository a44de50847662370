"""API: the token user's own API tokens (listing only; tokens are created in the dashboard)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dataward.core.clients import get
from dataward.web.api import Paged, api_ws
from dataward.web.pages.account import own_tokens, token_state

router = Router(tags=["account"])


class TokenOut(Schema):
    """One of the user's tokens: never its text, only the prefix shown when it was created."""

    prefix: str
    name: str
    clients: list[str]
    read_only: bool
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: str


@router.get("/tokens", response=list[TokenOut], url_name="account_tokens")
@paginate(Paged)
def list_tokens(request: HttpRequest, client: str | None = None) -> Any:
    """List the user's own tokens, oldest first; with ``client``, those that may act on it."""
    ws = api_ws(request)
    if client:
        get(ws, client)  # a client outside the user's scope is refused
    return [
        {
            **{f: getattr(t, f) for f in TokenOut.model_fields if f != "state"},
            "state": token_state(ws, t),
        }
        for t in own_tokens(ws)
        if not client or not t.clients or client in t.clients
    ]
