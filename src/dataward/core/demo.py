"""Import the demo estate's clients and create one demo user per role."""

from __future__ import annotations

from typing import Any

from dataward.core import clients, users
from dataward.core.models import User

DEMO_USERS = (
    ("demo-admin", "admin"),
    ("demo-analyst", "analyst"),
    ("demo-manager", "manager"),
    ("demo-auditor", "auditor"),
)


def import_clients_and_users(ctx: Any) -> None:
    """Add or update the estate's clients, then the demo users (idempotent)."""
    changed, same = clients.import_file(ctx.ws, ctx.estate / "clients.json")
    ctx.console.print(f"clients: {changed} added or updated, {same} unchanged")
    wanted: list[tuple[str, str, list[str]]] = [(name, role, []) for name, role in DEMO_USERS]
    wanted += [(f"viewer-{c.slug}", "client-viewer", [c.slug]) for c in clients.visible(ctx.ws)]
    existing = set(User.objects.values_list("username", flat=True))
    for name, role, scope in wanted:
        if name not in existing:
            users.add(ctx.ws, name, role, scope, email=f"{name}@dataward.invalid")
