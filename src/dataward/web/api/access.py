"""API: access violations, people, accounts, entitlements, and review campaigns with decisions.

Listings page in the database. Violations are the stored results of each client's latest
assessment; /violations/live evaluates the rules now for one client (seconds on a large
workforce). Decisions and closing go through dataward.access.reviews, which audits them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, ModelSchema, Router, Schema, Status
from ninja.pagination import paginate

from dataward.access import reviews, service
from dataward.access.models import DirectoryAccount, Entitlement, Person, ReviewCampaign, ReviewItem
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.web.api import Paged, api_ws
from dataward.web.views import client_or_404, clients_for

router = Router(tags=["access"])
CAMPAIGN = (ReviewCampaign, {"client": "client__slug", "pk": "pk"})
OBJECTS: dict[str, tuple[type[Any], dict[str, str]]] = {
    f"access_{name}": CAMPAIGN
    for name in ("review", "review_items", "review_decide", "review_close", "review_revocations")
}


class AccessViolationOut(Schema):
    """A failure or warning of an access rule: stored (with severity and time) or evaluated now."""

    client: str
    check: str
    status: str
    subject: str
    summary: str
    severity: str = ""
    at: datetime | None = None

    @staticmethod
    def resolve_client(obj: Any) -> str:
        """Return the client's slug."""
        return str(obj["client"] if isinstance(obj, dict) else obj.client.slug)

    @staticmethod
    def resolve_check(obj: Any) -> str:
        """Return the check id."""
        return str(obj["check"] if isinstance(obj, dict) else obj.check_id)


class AccessPersonOut(ModelSchema):
    """One person on the HR roster (a client's view names only that client)."""

    clients: list[str]

    class Meta:
        model = Person
        fields = list(service.PEOPLE_COLUMNS)

    @staticmethod
    def resolve_clients(obj: Any, context: Any) -> list[str]:
        """Return the person's clients, or only the client the request asked about."""
        slug = getattr(context["request"], "access_client", None)
        return [slug] if slug else list(obj.clients)


class AccessAccountOut(ModelSchema):
    """One directory account as imported."""

    class Meta:
        model = DirectoryAccount
        fields = ["source", "username", "display_name", "employee_id", "enabled", "privileged",
                  "mfa_registered", "mfa_enforced", "last_login"]  # fmt: skip


class AccessEntitlementOut(ModelSchema):
    """One permission held on one of the client's systems."""

    class Meta:
        model = Entitlement
        fields = ["system", "account", "application", "permission", "privileged",
                  "granted_date", "last_used", "granted_by"]  # fmt: skip


class AccessCampaignOut(Schema):
    """A review campaign with its progress."""

    id: int
    client: str
    name: str
    status: str
    started_at: datetime
    started_by: str
    due: date | None
    closed_at: datetime | None
    closed_by: str
    items: int
    pending: int
    revoke: int

    @staticmethod
    def resolve_client(obj: Any) -> str:
        """Return the client's slug."""
        return str(obj.client.slug)

    @staticmethod
    def resolve_items(obj: Any) -> int:
        """Return the number of items."""
        return _progress(obj)["items"]

    @staticmethod
    def resolve_pending(obj: Any) -> int:
        """Return the number of undecided items."""
        return _progress(obj)["pending"]

    @staticmethod
    def resolve_revoke(obj: Any) -> int:
        """Return the number of revoke and modify decisions."""
        return _progress(obj)["revoke"]


def _progress(camp: ReviewCampaign) -> dict[str, int]:
    """Return a campaign's counts, read once per campaign and response."""
    if hasattr(camp, "count_items"):  # listed with campaigns(counted=True)
        return {k: getattr(camp, f"count_{k}") for k in ("items", "pending", "revoke")}
    found: dict[str, int] | None = camp.__dict__.get("progress")
    if found is None:
        found = camp.__dict__["progress"] = reviews.progress(camp)
    return found


class AccessCampaignIn(Schema):
    """What starting a campaign needs."""

    client: str
    name: str = Field("", max_length=200)
    due: date | None = None


class AccessItemOut(ModelSchema):
    """One person x entitlement to certify, revoke or modify."""

    flags: list[str]

    class Meta:
        model = ReviewItem
        fields = list(reviews.ITEM_COLUMNS)


class AccessDecisionIn(Schema):
    """One decision for the items named (or every pending item of one manager's people)."""

    decision: str
    items: list[int] = []
    comment: str = ""
    new_permission: str = Field("", max_length=200)
    manager: str = ""


class AccessRevocationOut(Schema):
    """One revoke or modify decision for the identity team."""

    item: int
    system: str
    account: str
    permission: str
    action: str
    employee_id: str
    person: str
    reason: str
    decided_by: str
    decided_at: datetime | None
    verified: bool | None


def _client(ws: Workspace, slug: str | None, first: bool = False) -> Client | None:
    """Return the client named (404 outside scope), else the first in scope when ``first``."""
    if slug:
        return client_or_404(ws, slug)
    clients = clients_for(ws)
    return clients[0] if first and clients else None


def _campaign(request: HttpRequest, client: str, pk: int, write: bool = False) -> Any:
    """Return (workspace, client, campaign); 404 outside scope, 403 if a write is not allowed."""
    ws = api_ws(request, write=write)
    found = client_or_404(ws, client)
    if write:
        ws.require(Action.REVIEW_ACCESS, found.slug)
    return ws, found, get_object_or_404(reviews.campaigns([found]), pk=pk)


@router.get("/violations", response=list[AccessViolationOut], url_name="access_violations")
@paginate(Paged)
def list_violations(
    request: HttpRequest, client: str | None = None, rule: str = "", status: str = ""
) -> Any:
    """List the access checks' failures and warnings from each scope's latest assessment."""
    ws = api_ws(request)
    found = _client(ws, client)
    rows = service.stored_violations(ws, found.slug if found else None)
    rows = rows.filter(check_id=rule) if rule else rows
    rows = rows.filter(status=status) if status else rows
    return rows.order_by("client__slug", "check_id", "subject", "pk")


@router.get(
    "/violations/live", response=list[AccessViolationOut], url_name="access_violations_live"
)
@paginate(Paged)
def live_violations(request: HttpRequest, client: str | None = None, rule: str = "") -> Any:
    """Evaluate the access rules now for one client (default: the first client in scope)."""
    ws = api_ws(request)
    found = _client(ws, client, first=True)
    return service.violation_rows(ws, found.slug, [rule] if rule else []) if found else []


@router.get("/people", response=list[AccessPersonOut], url_name="access_people")
@paginate(Paged)
def list_people(request: HttpRequest, client: str | None = None, status: str = "") -> Any:
    """List the roster (operation-wide users), or one client's people (default: the first)."""
    ws = api_ws(request)
    found = _client(ws, client, first=not may(ws.actor, Action.VIEW, None))
    request.access_client = found.slug if found else None  # type: ignore[attr-defined]
    rows = service.people_query(ws, found.slug if found else None)
    return (rows.filter(status=status) if status else rows).order_by("employee_id")


@router.get("/accounts", response=list[AccessAccountOut], url_name="access_accounts")
@paginate(Paged)
def list_accounts(request: HttpRequest, source: str = "") -> Any:
    """List the directory accounts as imported (operation-wide users only)."""
    rows = service.directory_query(api_ws(request))
    return (rows.filter(source=source) if source else rows).order_by("source", "username")


@router.get("/entitlements", response=list[AccessEntitlementOut], url_name="access_entitlements")
@paginate(Paged)
def list_entitlements(request: HttpRequest, client: str | None = None, system: str = "") -> Any:
    """List the permissions held on one client's systems (default: the first client in scope)."""
    ws = api_ws(request)
    found = _client(ws, client, first=True)
    if found is None:
        return []
    rows = service.entitlement_query(ws, found.slug)
    return (rows.filter(system=system) if system else rows).order_by("system", "account", "pk")


@router.get("/reviews", response=list[AccessCampaignOut], url_name="access_reviews")
@paginate(Paged)
def list_reviews(request: HttpRequest, client: str | None = None, status: str = "") -> Any:
    """List the review campaigns of one client or every client in scope, newest first."""
    ws = api_ws(request)
    found = _client(ws, client)
    rows = reviews.campaigns([found] if found else clients_for(ws), counted=True)
    return (rows.filter(status=status) if status else rows).order_by("-started_at", "-pk")


@router.post("/reviews", response={201: AccessCampaignOut}, url_name="access_review_start")
def start_review(request: HttpRequest, body: AccessCampaignIn) -> Any:
    """Start a campaign: one item per person x entitlement on the client's systems."""
    ws = api_ws(request, write=True)
    found = client_or_404(ws, body.client)
    camp = reviews.start(ws, found, body.name.strip(), body.due)
    return Status(201, reviews.campaigns([found]).get(pk=camp.pk))


@router.get("/reviews/{client}/{pk}", response=AccessCampaignOut, url_name="access_review")
def get_review(request: HttpRequest, client: str, pk: int) -> Any:
    """Return one campaign with its progress."""
    return _campaign(request, client, pk)[2]


@router.get(
    "/reviews/{client}/{pk}/items", response=list[AccessItemOut], url_name="access_review_items"
)
@paginate(Paged)
def list_items(
    request: HttpRequest, client: str, pk: int, decision: str = "", manager: str = ""
) -> Any:
    """List a campaign's items in number order, optionally by decision or manager."""
    _, found, camp = _campaign(request, client, pk)
    rows = reviews.items_query(found, camp)
    rows = rows.filter(decision=decision) if decision else rows
    return rows.filter(manager_id=manager) if manager else rows


@router.post(
    "/reviews/{client}/{pk}/decisions", response=dict[str, int], url_name="access_review_decide"
)
def decide(request: HttpRequest, client: str, pk: int, body: AccessDecisionIn) -> Any:
    """Record one decision on the items named, or on every pending item of a manager's people."""
    ws, found, camp = _campaign(request, client, pk, write=True)
    done = reviews.decide(
        ws, found, camp, body.items, body.decision, body.comment.strip(),
        body.new_permission.strip(), body.manager,
    )  # fmt: skip
    return {"decided": done}


@router.post(
    "/reviews/{client}/{pk}/close", response=dict[str, int], url_name="access_review_close"
)
def close(request: HttpRequest, client: str, pk: int) -> Any:
    """Close a campaign whose every item is decided; return the number of revocations."""
    ws, found, camp = _campaign(request, client, pk, write=True)
    return {"revocations": reviews.close(ws, found, camp)}


@router.get(
    "/reviews/{client}/{pk}/revocations",
    response=list[AccessRevocationOut],
    url_name="access_review_revocations",
)
@paginate(Paged)
def list_revocations(request: HttpRequest, client: str, pk: int) -> Any:
    """List the identity team's work: every revoke and modify decision of the campaign."""
    ws, found, camp = _campaign(request, client, pk)
    ws.require(Action.EXPORT, found.slug)
    return reviews.revocations(found, camp)
