"""Check that only the workspace owner can read the key file."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check


@check(
    id="core_workspace_key_file_private",
    title="The workspace key file is readable by its owner only",
    severity="high",
    risk="Anyone who reads the key can decrypt protected fields and forge audit seals.",
    remediation="Run chmod 600 on the key file, or keep the key in DATAWARD_KEY from a vault.",
    scope="operation",
)
def core_workspace_key_file_private(view: WorkspaceView) -> Iterator[Result]:
    """Judge the key file's permission bits."""
    info = view.read("key_file")
    if info["from_env"]:
        yield Result(Status.NOT_APPLICABLE, "workspace key", "key comes from DATAWARD_KEY")
        return
    mode = info["mode"]
    evidence = ({"path": info["path"], "mode": f"{mode:o}"},)
    if mode & 0o077:
        yield Result(
            Status.FAIL, info["path"], f"key file mode is {mode:o}; others can read it", evidence
        )
    else:
        yield Result(Status.PASS, info["path"], f"key file mode is {mode:o}", evidence)
