"""Read core state for checks: the audit chain and the key file."""

from __future__ import annotations

from typing import Any

from dataward.core import audit
from dataward.core.engine.workspace import file_mode
from dataward.core.models import Client
from dataward.core.workspace import Workspace


def audit_chain(ws: Workspace, client: Client) -> Any:
    """Return the verification report of the whole chain (an operation-wide record)."""
    return audit.verify(ws)


def key_file(ws: Workspace, client: Client) -> dict[str, Any]:
    """Return where the key comes from and the key file's permission bits."""
    path = ws.paths.key
    from_env = ws.keyring.active.created == "external" or not path.exists()
    return {
        "path": str(path),
        "from_env": from_env,
        "mode": None if from_env else file_mode(path),
    }
