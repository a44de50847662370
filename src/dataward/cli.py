"""Run the ``dataward`` command: global options, sub-commands from every package, errors."""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass
from typing import Annotated

import click
import typer

from dataward import __version__
from dataward.errors import DatawardError
from dataward.output import err
from dataward.plugins import hook

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
GLOBAL_VALUED = ("--workspace", "-w", "--as")
GLOBAL_FLAGS = ("--debug",)

app = typer.Typer(
    name="dataward",
    help="Data-security baseline for BPO operations: know, restrict, protect, prove.",
    no_args_is_help=True,
    add_completion=False,
    epilog="Exit codes: 0 ok, 1 failures found (--fail-on, audit verify, demo --verify), "
    "2 usage or input error, 3 internal error.",
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@dataclass
class Globals:
    """Options that apply to every command."""

    workspace: str | None
    actor: str | None
    debug: bool


def _version(value: bool) -> None:
    if value:
        print(f"dataward {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Annotated[
        str | None,
        typer.Option("--workspace", "-w", help="Workspace folder [env DATAWARD_WORKSPACE]."),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--as", help="Act as this dataward user [env DATAWARD_USER].")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Data-security baseline for BPO operations: know, restrict, protect, prove."""
    ctx.obj = Globals(workspace, actor, debug)


def hoist_globals(argv: list[str]) -> list[str]:
    """Move global options given after a sub-command to the front, so they work anywhere."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_VALUED and "=" in arg:
            front.append(arg)
        elif arg in GLOBAL_VALUED and i + 1 < len(argv):
            front.extend(argv[i : i + 2])
            i += 1
        elif arg in GLOBAL_FLAGS:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


_registered = False
_command: click.Command | None = None


class InterruptedCommandError(Exception):
    """Ctrl-C inside a command; Typer would turn a KeyboardInterrupt into a silent exit 130."""


def build() -> click.Command:
    """Return the click command with every package's sub-commands added (built once per process).

    Building the tree from every command's signature takes a few tenths of a second; a click
    command is reusable, as each run makes its own context.
    """
    global _registered, _command
    if _command is not None:
        return _command
    if not _registered:
        hook().register_commands(cli=app)
        _registered = True
    command = typer.main.get_command(app)
    invoke = command.invoke

    def invoke_reporting_ctrl_c(ctx: click.Context) -> object:
        try:
            return invoke(ctx)
        except KeyboardInterrupt as exc:
            raise InterruptedCommandError from exc

    command.invoke = invoke_reporting_ctrl_c  # type: ignore[method-assign]
    _command = command
    return command


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code; errors print one line on stderr."""
    args = hoist_globals(list(sys.argv[1:] if argv is None else argv))
    debug = "--debug" in args or os.environ.get("DATAWARD_DEBUG") == "1"
    try:
        result = build().main(args=args, prog_name="dataward", standalone_mode=False)
    except DatawardError as exc:
        if debug:
            traceback.print_exc()
        err.print(f"error: {exc.line()}", markup=False, highlight=False, soft_wrap=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        err.print("aborted", markup=False)
        return 130
    except click.ClickException as exc:
        err.print(f"error: {exc.format_message()}", markup=False, highlight=False, soft_wrap=True)
        return EXIT_USAGE
    except OSError as exc:  # a file the user named could not be read or written
        if debug:
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(
            f"error: {where}{exc.strerror or type(exc).__name__}; check the path and "
            "its permissions",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return EXIT_USAGE
    except (KeyboardInterrupt, InterruptedCommandError):
        err.print("interrupted; rerun the command to resume", markup=False)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence prints one line
        if debug:
            traceback.print_exc()
        err.print(
            f"error: internal error ({type(exc).__name__}); rerun with --debug and report it",
            markup=False,
        )
        return EXIT_INTERNAL
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
