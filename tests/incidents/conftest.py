"""A workspace with three clients (GDPR, HIPAA, neither) and a clock that stands still."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from incidents.fixtures import NOW

CLIENTS: list[dict[str, Any]] = [
    {"slug": "eurotel", "name": "Eurotel", "data_categories": ["PII", "FINANCIAL"],
     "frameworks": ["GDPR"], "breach_notification_hours": 24},
    {"slug": "medplan", "name": "Medplan", "data_categories": ["PII", "PHI"],
     "frameworks": ["HIPAA"], "breach_notification_hours": 48},
    {"slug": "cardco", "name": "Cardco", "data_categories": ["PCI"],
     "frameworks": ["PCI_DSS_4"]},
]  # fmt: skip


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def iws(ws, clock: Clock):  # type: ignore[no-untyped-def]
    """The workspace with the three clients, acting as its owner at the fixed clock."""
    from dataward.core.clients import add
    from dataward.core.engine.clients import ClientSpec

    for record in CLIENTS:
        add(ws, ClientSpec(**record))
    ws.clock = clock
    return ws


@pytest.fixture
def as_user(iws, clock: Clock):  # type: ignore[no-untyped-def]
    """Return a function that adds a user and opens the workspace as that user."""
    from dataward.core import users
    from dataward.core.workspace import open_workspace

    def open_as(name: str, role: str, clients: list[str]):  # type: ignore[no-untyped-def]
        users.add(iws, name, role, clients)
        return open_workspace(iws.paths.root, env={}, actor=name, clock=clock)

    return open_as
