"""CLI conventions: the generated reference, global options anywhere, clean stdout, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from dataward.cli import hoist_globals
from dataward.clidoc import reference
from helpers import assert_one_line_error

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_reference_matches_the_commands() -> None:
    assert DOC.read_text() == reference(), "docs/cli.md is stale: run `make docs`"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["clients", "list", "-w", "x"], ["-w", "x", "clients", "list"]),
        (
            ["clients", "list", "--workspace=x", "--debug"],
            ["--workspace=x", "--debug", "clients", "list"],
        ),
        (["--as", "ann", "assess"], ["--as", "ann", "assess"]),
        (["clients", "add", "a", "--", "--debug"], ["clients", "add", "a", "--", "--debug"]),
    ],
)
def test_global_options_are_hoisted(argv: list[str], expected: list[str]) -> None:
    assert hoist_globals(argv) == expected


def test_version_and_help(cli) -> None:
    assert cli("--version").out.startswith("dataward ")
    result = cli("--help")
    assert result.code == 0
    assert "Exit codes" in result.out


def test_unknown_command_and_option_are_usage_errors(cli) -> None:
    assert_one_line_error(cli("frobnicate"), "frobnicate")
    assert_one_line_error(cli("clients", "list", "--colour"), "--colour")


def test_machine_readable_output_stands_alone(cli, tmp_path: Path) -> None:
    root = str(tmp_path / "w")
    cli("init", "-w", root)
    cli("clients", "add", "acme", "--name", "Acme, Inc.", "--category", "PII", "-w", root)
    as_json = cli("clients", "list", "-f", "json", "-w", root)
    assert json.loads(as_json.out)[0]["name"] == "Acme, Inc."
    assert as_json.err == ""
    lines = cli("clients", "list", "-f", "jsonl", "-w", root).out.splitlines()
    assert [json.loads(line)["slug"] for line in lines] == ["acme"]
    rows = list(csv.DictReader(io.StringIO(cli("clients", "list", "-f", "csv", "-w", root).out)))
    assert rows[0]["name"] == "Acme, Inc."
    out = tmp_path / "clients.json"
    written = cli("clients", "list", "-f", "json", "-o", str(out), "-w", root)
    assert written.out == ""
    assert json.loads(out.read_text())[0]["slug"] == "acme"


def test_debug_shows_a_traceback(cli, tmp_path: Path) -> None:
    result = cli("--debug", "clients", "list", "-w", str(tmp_path / "missing"))
    assert result.code == 2
    assert "Traceback" in result.err
    assert result.err.strip().splitlines()[-1].startswith("error: ")


def test_unwritable_output_is_a_one_line_error(cli, tmp_path: Path) -> None:
    root = str(tmp_path / "w")
    cli("init", "-w", root)
    target = tmp_path / "missing" / "out.json"
    result = cli("clients", "list", "-f", "json", "-o", str(target), "-w", root)
    assert_one_line_error(result, str(target), "No such file or directory")
    assert ".tmp" not in result.err


def test_ctrl_c_in_any_command_prints_one_line(cli, tmp_path: Path, monkeypatch) -> None:
    """Typer turns Ctrl-C into a bare exit 130; the user still gets one line saying what to do."""
    from dataward.core import clients

    root = tmp_path / "w"
    assert cli("init", "-w", str(root)).code == 0

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(clients, "import_file", interrupted)
    (tmp_path / "c.json").write_text("[]")
    result = cli("clients", "import", str(tmp_path / "c.json"), "-w", str(root))
    assert result.code == 130
    assert result.err.strip() == "interrupted; rerun the command to resume"
    assert result.out == ""
