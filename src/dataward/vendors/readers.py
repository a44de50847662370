"""Give checks the vendors in one scope: a client's vendors, or the operation's own."""

from __future__ import annotations

from dataclasses import dataclass

from dataward.core.clients import ensure_operation
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.vendors import records
from dataward.vendors.engine.model import VendorFacts
from dataward.vendors.engine.questionnaire import Template, load_template


@dataclass(frozen=True)
class VendorScope:
    """The active vendors a check judges, how many the register holds, and the questionnaire."""

    vendors: tuple[VendorFacts, ...]
    registered: int
    template: Template


def in_scope(ws: Workspace, client: Client) -> VendorScope:
    """Return the active vendors touching the client (for the operation: touching no client)."""
    op = ensure_operation(ws)
    everyone = records.all_vendors(op)
    chosen = [
        v
        for v in everyone
        if v.status == "active"
        and (not v.clients if client.is_operation else client.slug in v.clients)
    ]
    facts = records.facts(op, chosen)
    return VendorScope(tuple(facts[v.pk] for v in chosen), len(everyone), load_template())
