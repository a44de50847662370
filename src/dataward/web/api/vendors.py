"""API: the vendor register the token's user may see, and one vendor's due diligence."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dataward.vendors import service
from dataward.vendors.models import Vendor
from dataward.web.api import Paged, api_ws

router = Router(tags=["vendors"])
OBJECTS = {"vendors_detail": (Vendor, {"pk": "pk"})}


class VendorOut(Schema):
    """One vendor as listed: clients in the user's scope, tier, agreement, due diligence."""

    id: int
    vendor: str
    services: list[str]
    tier: str
    declared_tier: str
    clients: list[str]
    data_categories: list[str]
    dpa_signed: bool
    dpa_date: date | None
    last_review: date | None
    next_review_due: date | None
    review: str
    questionnaire_done: int
    questionnaire_required: int
    score: int | None
    gaps: int
    answered_on: date | None
    owner: str
    status: str


class VendorDetailOut(Schema):
    """One vendor: its record, tier and why, reviews, questionnaire state and responsibilities."""

    id: int
    vendor: str
    services: list[str]
    tier: str
    declared_tier: str
    computed_tier: str
    tier_reasons: list[str]
    clients: list[str]
    data_categories: list[str]
    access: list[str]
    dpa_signed: bool
    dpa_date: date | None
    last_review: date | None
    next_review_due: date | None
    review: str
    owner: str
    status: str
    reviews: list[dict[str, Any]]
    questionnaire: list[dict[str, Any]]
    responsibilities: list[dict[str, Any]]


@router.get("/", response=list[VendorOut], url_name="vendors_list")
@paginate(Paged)
def list_vendors(
    request: HttpRequest,
    client: str | None = None,
    tier: str | None = None,
    review: str | None = None,
    status: str | None = None,
) -> Any:
    """List vendors by name: all the user may see, or those serving one client.

    Offboarded vendors are listed too (``status=active`` leaves them out), with their history.
    """
    rows = service.register_rows(api_ws(request), client or None)
    wanted = {"tier": tier, "review": review, "status": status}
    return [r for r in rows if all(r[k] == v for k, v in wanted.items() if v)]


@router.get("/{int:pk}", response=VendorDetailOut, url_name="vendors_detail")
def get_vendor(request: HttpRequest, pk: int) -> Any:
    """Return one vendor the user may see (404 otherwise, never saying it exists)."""
    ws = api_ws(request)
    name = service.name_of(ws, pk)
    if name is None:
        raise Http404("no such vendor")
    return {**service.show(ws, name), "id": pk}
