"""API: the clients the token's user may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dataward.core.engine.permissions import Action
from dataward.web.api import Paged, api_ws
from dataward.web.views import clients_for

router = Router(tags=["clients"])
#: No route takes a path parameter.
OBJECTS: dict[str, tuple[type[Any], dict[str, str]]] = {}


class ClientOut(Schema):
    """A client account: what data it has the operation handle and what frameworks it expects."""

    slug: str
    name: str
    industry: str
    data_categories: list[str]
    frameworks: list[str]
    breach_notification_hours: int | None
    approved_locations: list[str]
    timezone: str


@router.get("/clients", response=list[ClientOut], url_name="clients_list")
@paginate(Paged)
def list_clients(request: HttpRequest) -> Any:
    """List the clients in the token's scope, by slug."""
    return clients_for(api_ws(request), Action.VIEW)
