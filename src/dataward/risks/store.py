"""Write the register: create risks with safe references, record history, edit, accept, close."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction

from dataward.core import audit
from dataward.core.approvals import check_time_box
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.risks.models import Risk, RiskEvent

REF_ATTEMPTS = 8
#: The PostgreSQL advisory lock held while a risk reference is chosen and inserted.
NUMBERING_LOCK = 0x6477_5249_534B  # "dwRISK"
EDITABLE = (
    "title", "description", "category", "likelihood", "impact", "residual_likelihood",
    "residual_impact", "owner", "treatment", "plan", "due",
)  # fmt: skip
LINKS = ("controls", "findings", "alerts", "incidents")


def _hold_numbering() -> None:
    """On PostgreSQL, number risks one writer at a time until the caller's transaction ends.

    Without it two writers read the same last reference, one loses on the unique index and
    tries again, and a steady writer could make another lose every one of its attempts. SQLite
    needs nothing: its transactions begin IMMEDIATE, so writers are serialised already.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NUMBERING_LOCK])


def _next_number() -> int:
    """Return the number after the highest reference in the workspace."""
    last = Risk.objects.unscoped("references are unique across the workspace").order_by("-id")
    ref = last.values_list("ref", flat=True).first()
    return int(ref.rsplit("-", 1)[1]) + 1 if ref else 1


def create(**fields: Any) -> Risk:
    """Create a risk under the next free RISK-nnnn reference (retrying if a writer races us).

    Only a clash on the reference is retried: another writer committed that number first. Any
    other conflict (the same control's or imported id's risk) is the caller's to prevent.
    """
    for _ in range(REF_ATTEMPTS):
        try:
            with transaction.atomic():
                _hold_numbering()
                ref = f"RISK-{_next_number():04d}"
                return Risk.objects.create(ref=ref, **fields)
        except IntegrityError:
            if not Risk.objects.unscoped("is this reference taken").filter(ref=ref).exists():
                raise
    raise DatawardError("could not number the risk", "risks", "try again")


def lock_register(client: Client) -> None:
    """Hold the client's register until the caller's transaction ends.

    Two assessments (or imports) of one client at once would both find no risk for a failing
    control and both raise one; locking the client row makes the second wait and then see the
    first one's risks. NO KEY UPDATE still lets other writers add rows that point at the client.
    """
    list(Client.objects.select_for_update(no_key=True).filter(pk=client.pk).values_list("pk"))


def state(risk: Risk) -> dict[str, Any]:
    """Return the fields the audit trail digests."""
    return {
        "ref": risk.ref,
        **{f: getattr(risk, f) for f in EDITABLE},
        "due": str(risk.due) if risk.due else None,
        "status": risk.status,
        "source": risk.source_key,
        **{f: list(getattr(risk, f)) for f in LINKS},
        "accepted_by": risk.accepted_by,
        "acceptance_expires": str(risk.acceptance_expires) if risk.acceptance_expires else None,
    }


def record_event(ws: Workspace, risk: Risk, kind: str, detail: dict[str, Any]) -> None:
    """Append one entry to the risk's history."""
    RiskEvent.objects.create(
        client=risk.client, risk=risk, at=ws.clock(), actor=ws.actor.name, kind=kind, detail=detail
    )


def _slug(client: Client) -> str | None:
    return None if client.is_operation else client.slug


def change(ws: Workspace, risk: Risk, kind: str, note: str = "", **fields: Any) -> Risk:
    """Change fields of one risk with a history entry and an audit event, all or nothing."""
    with transaction.atomic():
        before = state(risk)
        for name, value in fields.items():
            setattr(risk, name, value)
        risk.updated_at = ws.clock()
        risk.save()
        after = state(risk)
        changed = {k: after[k] for k in after if after[k] != before[k]}
        record_event(ws, risk, kind, {"changed": _plain(changed), "note": note})
        audit.record(ws, f"risk.{kind}", _slug(risk.client), "risk", risk.ref, before, after)
    return risk


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, date) else v for k, v in values.items()}


def accept(ws: Workspace, risk: Risk, *, approved_by: str, expires: date, reason: str) -> Risk:
    """Accept a risk: approved by someone other than its owner (and you), until a date."""
    if risk.status == "closed":
        raise DatawardError(f"{risk.ref} is closed", risk.ref, "reopen it before accepting")
    if not risk.owner:
        raise DatawardError(
            f"{risk.ref} has no owner", "--owner", "set an owner first: dataward risks update"
        )
    approved_by = approved_by.strip()
    if same_person(approved_by, risk.owner):
        raise DatawardError(
            f"{approved_by} owns {risk.ref} and cannot approve accepting it",
            "--approved-by",
            "name an approver other than the risk owner",
        )
    today = ws.clock().date()
    if expires > one_year_on(today):
        raise DatawardError(
            f"expires {expires}, more than a year away",
            "--expires",
            f"give {one_year_on(today)} or earlier and renew it then",
        )
    slug = _slug(risk.client) or "operation"
    check_time_box(ws, slug, reason=reason, starts=today, ends=expires, approved_by=approved_by)
    return change(
        ws,
        risk,
        "accepted",
        reason,
        status="accepted",
        treatment="accept",
        accepted_by=approved_by,
        accepted_at=ws.clock(),
        acceptance_expires=expires,
        acceptance_reason=reason,
    )


def close(ws: Workspace, risk: Risk, note: str, failing_now: list[str]) -> Risk:
    """Close a risk with a note; a risk whose control still fails cannot be closed."""
    if not note.strip():
        raise DatawardError("closing needs a note", "--note", "say why the risk is closed")
    if risk.status == "closed":
        raise DatawardError(f"{risk.ref} is already closed", risk.ref, "nothing to do")
    if failing_now:
        raise DatawardError(
            f"{risk.ref}: {failing_now[0]} still fails",
            risk.ref,
            "fix it and assess again, or accept the risk with an approver",
        )
    return change(ws, risk, "closed", note, status="closed", closed_at=ws.clock())


def reopen(ws: Workspace, risk: Risk, note: str) -> Risk:
    """Reopen a closed, proposed or accepted risk; reopening ends an acceptance."""
    if risk.status not in ("closed", "proposed_closure", "accepted"):
        raise DatawardError(f"{risk.ref} is {risk.status}", risk.ref, "only closed risks reopen")
    treatment = "mitigate" if risk.treatment == "accept" else risk.treatment
    return change(ws, risk, "reopened", note, status="open", closed_at=None, treatment=treatment)


def same_person(user: str, owner: str) -> bool:
    """Return whether an owner (a user name or an e-mail address) names this dataward user."""
    from dataward.core.models import User

    names = {user.strip().casefold()}
    account = User.objects.filter(username=user.strip()).first()
    if account is not None and account.email:
        names.add(account.email.strip().casefold())
    return owner.strip().casefold() in names


def one_year_on(day: date) -> date:
    """Return the same day a year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
