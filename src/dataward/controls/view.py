"""Give checks a read-only, client-scoped view of the workspace."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from dataward.core.engine.clients import ClientSpec
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.plugins import hook


@cache
def readers() -> dict[str, Callable[[Workspace, Client], Any]]:
    """Return every named reader the installed packages offer to checks."""
    merged: dict[str, Callable[[Workspace, Client], Any]] = {}
    for offered in hook().workspace_readers():
        merged.update(offered)
    return merged


def spec_of(client: Client) -> ClientSpec:
    """Return the plain client record a check reads."""
    return ClientSpec(
        slug=client.slug,
        name=client.name,
        industry=client.industry,
        data_categories=list(client.data_categories),
        frameworks=list(client.frameworks),
        breach_notification_hours=client.breach_notification_hours,
        retention_rules=list(client.retention_rules),
        approved_locations=list(client.approved_locations),
        phone_regions=list(client.phone_regions),
        timezone=client.timezone,
        working_hours=client.working_hours,
    )


class DjangoView:
    """A WorkspaceView over the Django store, reading one client's records only."""

    def __init__(self, ws: Workspace, client: Client, now: datetime) -> None:
        self._ws = ws
        self._client = client
        self.client = spec_of(client)
        self.is_operation = client.is_operation
        self.now = now
        self._cache: dict[str, Any] = {}

    def read(self, name: str) -> Any:
        """Return the named data for this client, reading it once."""
        if name not in self._cache:
            reader = readers().get(name)
            if reader is None:
                raise DatawardError(f"no reader named {name!r}", "check", "install its package")
            self._cache[name] = reader(self._ws, self._client)
        return self._cache[name]
