"""Offer the register's dated duties: treatment due dates and acceptance expiries."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.core.engine.obligations import Obligation
from dataward.core.workspace import Workspace
from dataward.risks import service


def obligations(ws: Workspace) -> Iterator[Obligation]:
    """Yield one obligation per open risk with a due date and per dated acceptance."""
    for risk in service.risks(ws, None):
        slug = None if risk.client.is_operation else risk.client.slug
        if risk.status == "accepted" and risk.acceptance_expires:
            yield Obligation(
                "risk acceptance expiry",
                risk.ref,
                f"renew or end the acceptance of: {risk.title}",
                risk.owner or risk.accepted_by,
                risk.acceptance_expires,
                slug,
            )
        elif risk.status == "open" and risk.due:
            yield Obligation(
                "risk treatment", risk.ref, f"treat: {risk.title}", risk.owner, risk.due, slug
            )
        elif risk.status == "proposed_closure":
            yield Obligation(
                "risk closure",
                risk.ref,
                f"its checks pass again; close it with a note: {risk.title}",
                risk.owner,
                risk.updated_at.date(),
                slug,
            )
