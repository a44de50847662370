"""Write the CLI reference (docs/cli.md) from the commands' own help texts."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dataward.cli import build

HEADER = """# dataward command reference

Generated from the commands' own help by `make docs` (`python -m dataward.clidoc`); a test fails
when this page and the commands disagree. Global options (`--workspace`, `--as`, `--debug`) may be
given before or after the sub-command.

"""


def _walk(cmd: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, cmd)]
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            found += _walk(cmd.commands[name], [*path, name])
    return found


def reference() -> str:
    """Return the markdown reference of every command."""
    root = build()
    parts = [HEADER]
    for path, cmd in _walk(root, ["dataward"]):
        ctx = click.Context(
            cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100
        )
        parts.append(f"## {' '.join(path)}\n\n```text\n{cmd.get_help(ctx).rstrip()}\n```\n\n")
    return "".join(parts).rstrip() + "\n"


def main() -> None:
    """Write the reference to the path given, or print it."""
    text = reference()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
