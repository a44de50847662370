"""Share what the encryption checks say when there is nothing to judge."""

from __future__ import annotations

from dataward.controls.engine.registry import Result, Status, WorkspaceView


def not_applicable(view: WorkspaceView, why: str) -> Result:
    """Return the one not-applicable result of a check with nothing to judge for this scope."""
    return Result(Status.NOT_APPLICABLE, view.client.slug, why)
