"""Offer the controls' dated duties: attestation renewals, exception expiries, control due dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from dataward.controls import attestations
from dataward.controls.models import CheckException, ControlAssignment
from dataward.core.engine.obligations import Obligation
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace


def obligations(ws: Workspace, today: date) -> Iterator[Obligation]:
    """Yield, for every client the actor may view, the controls' dated obligations.

    An exception is owed until it lapses; after that the assessment itself fails loudly.
    """
    for client in Client.objects.order_by("kind", "slug"):
        slug = None if client.is_operation else client.slug
        if not may(ws.actor, Action.VIEW, slug):
            continue
        for a in attestations.latest(client).values():
            yield Obligation(
                "attestation renewal", a.control_id,
                f"renew the attestation of {a.control_id}", a.attester, a.expires, slug,
            )  # fmt: skip
        for e in CheckException.objects.for_client(client).filter(ends__gte=today).order_by("id"):
            yield Obligation(
                "exception expiry", e.ref,
                f"fix {e.check_id} ({e.subject}) or renew the exception before it lapses",
                e.created_by, e.ends, slug,
            )  # fmt: skip
        for c in ControlAssignment.objects.for_client(client).exclude(due=None).order_by("id"):
            assert c.due is not None  # excluded above
            yield Obligation(
                "control due", c.control_id, f"put {c.control_id} in place", c.owner, c.due, slug
            )
