"""Add, list, show and import clients, each change audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from dataward.core import audit
from dataward.core.engine.clients import ClientSpec, parse_client, validate
from dataward.core.engine.permissions import Action
from dataward.core.models import OPERATION_SLUG, Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

FIELDS = tuple(ClientSpec.__dataclass_fields__)


def ensure_operation(ws: Workspace) -> Client:
    """Return the record that stands for the operation itself, creating it once."""
    op, created = Client.objects.get_or_create(
        slug=OPERATION_SLUG, defaults={"name": "The operation", "kind": "operation"}
    )
    if created:
        audit.record(ws, "client.add", None, "client", op.slug, after=op.as_state())
    return op


def add(ws: Workspace, spec: ClientSpec, update: bool = False) -> tuple[Client, bool]:
    """Store a client (or update it when ``update``), returning it and whether it changed."""
    ws.require(Action.MANAGE_CLIENTS, None)
    validate(spec, f"client {spec.slug}")
    with transaction.atomic():
        existing = Client.objects.filter(slug=spec.slug).first()
        if existing is not None and not update:
            raise DatawardError(
                "a client with this slug exists", f"client {spec.slug}", "use --update to change it"
            )
        client = existing or Client(slug=spec.slug)
        before = existing.audit_state() if existing else None
        for name in FIELDS:
            setattr(client, name, getattr(spec, name))
        if before == client.audit_state():
            return client, False
        client.save()
        action = "client.update" if existing else "client.add"
        audit.record(ws, action, client.slug, "client", client.slug, before, client.audit_state())
    return client, True


def visible(ws: Workspace) -> list[Client]:
    """Return the clients the acting user may see."""
    rows = Client.objects.filter(kind="client").order_by("slug")
    if ws.actor.clients is not None:
        rows = rows.filter(slug__in=sorted(ws.actor.clients))
    return list(rows)


def get(ws: Workspace, slug: str) -> Client:
    """Return one client the acting user may view, or a one-line error."""
    client = Client.objects.filter(slug=slug).first()
    if client is None:
        raise DatawardError(
            f"no client {slug!r}", "--client", "see `dataward clients list` for the slugs"
        )
    ws.require(Action.VIEW, None if client.is_operation else client.slug)
    return client


def load_file(path: Path) -> list[ClientSpec]:
    """Read client records from a JSON or YAML file, validating every one before storing any."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatawardError(f"cannot read ({exc.strerror})", str(path), "check the path") from None
    except UnicodeDecodeError:
        raise DatawardError("not UTF-8 text", str(path), "save the file as UTF-8") from None
    try:
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        raise DatawardError("not valid JSON or YAML", str(path), "fix the file") from None
    if isinstance(data, dict):
        data = data.get("clients", [data])
    if not isinstance(data, list):
        raise DatawardError("expected a list of client records", str(path), "fix the file")
    specs = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise DatawardError("record is not a mapping", f"{path}, record {i}", "fix it")
        specs.append(parse_client(item, f"{path}, record {i}"))
    return specs


def import_file(ws: Workspace, path: Path) -> tuple[int, int]:
    """Add or update every client in a file in one transaction; return (changed, unchanged)."""
    specs = load_file(path)
    changed = 0
    with transaction.atomic():
        for spec in specs:
            changed += add(ws, spec, update=True)[1]
    return changed, len(specs) - changed
