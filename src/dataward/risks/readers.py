"""Give checks the client's risk register as plain rows."""

from __future__ import annotations

from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.risks.engine.register import RiskRow
from dataward.risks.models import Risk

FIELDS = (
    "ref", "title", "status", "treatment", "owner", "due", "accepted_by", "acceptance_expires",
)  # fmt: skip


def register(ws: Workspace, client: Client) -> tuple[RiskRow, ...]:
    """Return the client's risks (the operation's for an operation assessment)."""
    rows = Risk.objects.for_client(client).order_by("ref").values_list(*FIELDS)
    return tuple(RiskRow(*r) for r in rows)
