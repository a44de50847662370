"""The demo command: a synthetic BPO estate, imported and assessed end to end."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from dataward.errors import DatawardError
from dataward.output import Format, emit, emit_doc, err

demo_app = typer.Typer(help="Generate, import and verify the synthetic BPO estate.")

SeedOpt = Annotated[int, typer.Option(help="Seed: the same seed gives the same estate.")]
AsOfOpt = Annotated[
    str | None, typer.Option(help="Date the estate is generated as of (YYYY-MM-DD; default today).")
]


def register(cli: typer.Typer) -> None:
    """Attach the demo command group."""
    cli.add_typer(demo_app, name="demo")


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DatawardError(f"{text!r} is not a date", "--as-of", "write YYYY-MM-DD") from None


@demo_app.command("generate")
def generate_cmd(
    directory: Annotated[Path, typer.Argument(help="Folder to write the estate into.")],
    seed: SeedOpt = 7,
    as_of: AsOfOpt = None,
) -> None:
    """Write the synthetic estate and its manifest.json into DIRECTORY."""
    from dataward.demo.run import generate_estate

    if (
        directory.exists()
        and any(directory.iterdir())
        and not (directory / "manifest.json").exists()
    ):
        raise DatawardError(
            "folder is not empty and holds no demo estate", str(directory), "choose an empty folder"
        )
    manifest = generate_estate(directory, seed, _as_of(as_of))
    err.print(
        f"wrote {len(manifest['files'])} files, {len(manifest['planted'])} planted problems, "
        f"{len(manifest['sensitive_values'])} sensitive values to {directory}"
    )


@demo_app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    seed: SeedOpt = 7,
    as_of: AsOfOpt = None,
    verify: Annotated[
        bool, typer.Option("--verify", help="Compare what was raised with the manifest.")
    ] = False,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table, json, jsonl or csv.")
    ] = Format.TABLE,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the dashboard with a sign-in link.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port for --serve (on 127.0.0.1).")] = 8000,
) -> None:
    """Generate the estate into a workspace, import it, run every check, print a summary."""
    if ctx.invoked_subcommand is not None:
        return
    started = time.perf_counter()
    chosen = ctx.find_root().obj.workspace
    temp = None if chosen else Path(tempfile.mkdtemp(prefix="dataward-demo-"))
    root = Path(chosen) if chosen else temp / "workspace"  # type: ignore[operator]
    try:
        code = _run_demo(root, seed, _as_of(as_of), verify, fmt)
        if serve and code == 0:
            _serve(root, port)
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    err.print(f"demo finished in {time.perf_counter() - started:.1f} s")
    if temp is None:
        err.print(f"workspace kept at {root}: try `dataward -w {root} assess`")
    else:
        err.print("the temporary workspace was removed; pass --workspace DIR to keep it")
    raise typer.Exit(code)


def _serve(root: Path, port: int) -> None:
    """Serve the demo workspace on loopback and print one-time sign-in links for demo users."""
    from dataward.core.workspace import open_workspace
    from dataward.web import links
    from dataward.web.server import run

    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    ws = open_workspace(root, env)
    url = f"http://127.0.0.1:{port}"
    manager = url + links.create(ws, "demo-manager", minutes=60)
    admin = url + links.create(ws, "demo-admin", minutes=60)
    banner = (
        f"dataward is serving the demo at {url}/ (Ctrl-C stops it)\n"
        f"  sign in as demo-manager (one-time link): {manager}\n"
        f"  or as demo-admin, who must enrol an authenticator app (TOTP) first: {admin}"
    )
    run(ws, "127.0.0.1", port, workers=2, banner=banner)


def _run_demo(root: Path, seed: int, as_of: date | None, verify: bool, fmt: Format) -> int:
    from dataward.core.engine.workspace import WorkspacePaths
    from dataward.core.workspace import init_workspace, open_workspace
    from dataward.demo import run

    # The demo never follows DATAWARD_DATABASE_URL / _KEY / _USER: it must not reach a real store.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    estate = root / run.ESTATE_DIR
    if WorkspacePaths(root).config.exists():
        if not (estate / "manifest.json").exists():
            raise DatawardError(
                "this workspace holds no demo estate; the demo will not write into it",
                str(root),
                "pass --workspace with a new folder",
            )
        ws = open_workspace(root, env)
    else:
        ws = init_workspace(root, env)
    if as_of is not None:
        ws.clock = run.estate_clock(as_of)
    with err.status("generating the synthetic estate"):
        manifest = run.generate_estate(estate, seed, as_of)
    ctx = run.DemoContext(ws, estate, manifest, err)
    with err.status("importing the estate"):
        run.import_estate(ctx)
    with err.status("running every check"):
        results = run.assess_all(ws)
    with err.status("writing the reports"):
        run.finish(ctx)
    if not verify:
        columns = ["client", "name", "data", "frameworks", "files", "planted", "checks"]
        emit(run.summary_rows(manifest, results), columns, fmt, "dataward demo: per client")
        return 0
    report = run.verify(ctx)
    if fmt is Format.TABLE:
        columns = ["area", "package", "planted", "found", "missed", "false_alarms"]
        emit(run.verify_rows(report), columns, fmt, "dataward demo --verify: manifest vs raised")
    else:
        emit_doc(report)
    return 0 if report["ok"] else 1
