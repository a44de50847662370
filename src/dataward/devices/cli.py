"""The `dataward devices` commands: import, collect, queries, policy, list, show."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from dataward.cliutil import (
    ClientOpt,
    FormatOpt,
    MapOpt,
    OutputOpt,
    day_option,
    parse_mapping,
    workspace,
)
from dataward.output import Format, emit, emit_doc, err

app = typer.Typer(help="Device inventories (MDM, osquery, collector), posture history, policy.")
policy_app = typer.Typer(help="The device policy: the rules devices are judged by, per client.")
app.add_typer(policy_app, name="policy")
KINDS = ("intune", "jamf", "mdm-csv", "osquery", "collector")
EXAMPLE = Path(__file__).with_name("policy.yaml")


def register(cli: typer.Typer) -> None:
    """Attach the devices command group."""
    cli.add_typer(app, name="devices")


@app.command("import")
def import_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="intune, jamf, mdm-csv, osquery or collector.")],
    path: Annotated[Path, typer.Argument(help="The export file (or a folder of host files).")],
    source: Annotated[
        str | None, typer.Option(help="Name of the device source this replaces (default: KIND).")
    ] = None,
    mapping: MapOpt = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Import a device inventory; it replaces every device of its source in one transaction.

    intune and mdm-csv read CSV or XLSX, one device per row; jamf reads a Jamf Pro computer
    inventory (JSON); osquery reads the shipped queries' results (dataward devices queries);
    collector reads what dataward devices collect printed. Importing the same export twice
    reports it unchanged; a bad row changes nothing and names the file, row and field.
    """
    kind = kind.lower()
    if kind not in KINDS:
        raise typer.BadParameter(f"use one of {', '.join(KINDS)}", param_hint="KIND")
    ws = workspace(ctx)
    from dataward.devices import service

    with err.status(f"importing {kind} devices from {path}"):
        row = service.run_import(ws, kind, path, source, parse_mapping(mapping))
    for note in row.pop("notes", []):
        err.print(f"note: {note}")
    emit([row], service.IMPORT_COLUMNS, fmt, "Imported")


@app.command("collect")
def collect(
    output: OutputOpt = None,
    user: Annotated[str, typer.Option(help="The machine's user (default: who runs this).")] = "",
    employee_id: Annotated[str, typer.Option(help="The user's employee id.")] = "",
    site: Annotated[str, typer.Option(help="The site the machine works at.")] = "",
    remote: Annotated[
        bool | None, typer.Option("--remote/--on-site", help="Whether it works remotely.")
    ] = None,
    agent: Annotated[
        list[str], typer.Option(help="Another process name that counts as a security agent.")
    ] = [],  # noqa: B006
) -> None:
    """Read this machine's posture and print the JSON `devices import collector` reads.

    Needs no workspace: run it on each machine (as root for complete results) and import the
    files. What a probe cannot tell is null, with the reason under "probes".
    """
    from dataward.devices.collectors import Options
    from dataward.devices.collectors import collect as run

    options = Options(datetime.now(UTC), user, employee_id, site, remote, tuple(agent))
    text = json.dumps(run(options), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    from dataward.core.engine.workspace import atomic_write

    atomic_write(output, text.encode(), mode=0o600)
    err.print(f"wrote {output}")


@app.command("queries")
def queries(
    pack: Annotated[bool, typer.Option(help="Print them as an osquery pack (snapshot).")] = False,
    script: Annotated[
        str | None, typer.Option(help="Print a shell script running them (linux or darwin).")
    ] = None,
    platform: Annotated[str | None, typer.Option(help="Only one platform's queries.")] = None,
) -> None:
    """Print the osquery queries the osquery import reads (as SQL, a pack or a script)."""
    from dataward.devices.engine.queries import PLATFORMS, catalogue, pack_json
    from dataward.devices.engine.queries import script as shell

    for value, hint in ((platform, "--platform"), (script, "--script")):
        if value is not None and value not in PLATFORMS:
            raise typer.BadParameter(f"use one of {', '.join(PLATFORMS)}", param_hint=hint)
    if script:
        sys.stdout.write(shell(script))
    elif pack:
        sys.stdout.write(pack_json(platform))
    else:
        for q in catalogue().queries:
            for os_name, sql in q.sql.items():
                if platform in (None, os_name):
                    sys.stdout.write(f"-- {q.name} ({os_name}): {q.description}\n{sql}\n\n")


@policy_app.command("load")
def policy_load(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Device policy YAML (see devices policy example).")],
) -> None:
    """Validate a device policy file and make it the one in force (replacing the previous one)."""
    ws = workspace(ctx)
    from dataward.devices import service

    row = service.load_policy(ws, path)
    state = "unchanged" if row["unchanged"] else "loaded"
    err.print(f"device policy {state}: {row['clients']} client and {row['sites']} site sections")


@policy_app.command("show")
def policy_show(
    ctx: typer.Context, client: ClientOpt = None, fmt: FormatOpt = Format.TABLE
) -> None:
    """List the rules in force for --client (or for devices of people with no client)."""
    ws = workspace(ctx)
    from dataward.devices import service

    rows, note = service.policy_rows(ws, client)
    emit(rows, service.POLICY_COLUMNS, fmt, "Device policy")
    err.print(note)


@policy_app.command("example")
def policy_example() -> None:
    """Print the default device policy shipped with dataward, to start your own from."""
    sys.stdout.write(EXAMPLE.read_text(encoding="utf-8"))


@app.command("list")
def list_(
    ctx: typer.Context,
    client: ClientOpt = None,
    failing: Annotated[bool, typer.Option(help="Only devices failing a rule.")] = False,
    remote: Annotated[bool, typer.Option(help="Only remote devices.")] = False,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List the current devices with the rules each fails and those its source cannot tell.

    A device belongs to the clients of the person it links to (HR roster); a client-scoped user
    sees only the devices of that client's people.
    """
    ws = workspace(ctx)
    from dataward.devices import service

    rows = service.list_rows(ws, client, failing, remote)
    emit(rows, service.LIST_COLUMNS, fmt, "Devices", output)
    if not service.imported(ws):
        err.print("no devices imported: run dataward devices import KIND FILE")


@app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Device name or serial number.")],
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD: the state recorded that day.")] = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Show a device's recorded state (now, or --on a past date) and each rule's verdict.

    A failing rule says since when it has failed without a break, from the recorded history.
    """
    day = day_option(on, "--on")
    ws = workspace(ctx)
    from dataward.devices import show as view

    docs = view.show(ws, name, day)
    if fmt is not Format.TABLE:
        emit_doc(docs)
        return
    for doc in docs:
        facts = {k: v for k, v in doc.items() if k not in ("posture", "origin", "rules", "history")}
        for key, value in doc["posture"].items():
            many = key == "software" and isinstance(value, list | tuple)
            facts[f"posture.{key}"] = f"{len(value)} installed" if many else value
        emit([{"field": k, "value": v} for k, v in facts.items()], ["field", "value"], fmt,
             f"{doc['device']} ({doc['source']})")  # fmt: skip
        emit(doc["rules"], view.RULE_COLUMNS, fmt, "Rules")
        emit(doc["history"], view.HISTORY_COLUMNS, fmt, "Recorded states")
