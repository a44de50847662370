"""Second reading of `dataward retention` on real files and real processes, SQLite and PostgreSQL:
holds that arrive late, runs killed mid-overwrite, two runs of one plan, scoped users."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from helpers import assert_one_line_error

CARDS = ["4539148803436467", "4716108999716531", "4024007134564842", "4929939187355598"]
CLIENTS = [
    {"slug": "acme", "name": "Acme Bank", "data_categories": ["PII", "PCI"],
     "retention_rules": [{"category": "PCI", "days": 90}]},
    {"slug": "other", "name": "Other Co", "data_categories": ["PII"], "retention_rules": []},
]  # fmt: skip


def _json(result: Any) -> Any:
    assert result.code == 0, result
    return json.loads(result.out)


def _extract(path: Path, days_old: int, rows: int = 4) -> None:
    """Write a card and e-mail extract (PCI and PII) and age it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["customer,card_number,email"]
    lines += [f"C{n},{CARDS[n % 4]},c{n}@mail.example" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    when = time.time() - days_old * 86400
    os.utime(path, (when, when))


@pytest.fixture
def approved(ws_root: Path, cli, tmp_path: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A scanned share with two overdue extracts in an approved plan DP-0001."""
    w = str(ws_root)
    (tmp_path / "c.json").write_text(json.dumps(CLIENTS))
    assert cli("clients", "import", str(tmp_path / "c.json"), "-w", w).code == 0
    for name, role in (("ana", "analyst"), ("max", "manager"), ("ada", "admin")):
        assert cli("users", "add", name, "--role", role, "-w", w).code == 0
    root = tmp_path / "share"
    _extract(root / "exports" / "a.csv", 400)
    _extract(root / "exports" / "b.csv", 300, rows=5)
    assert cli("scan", str(root), "--client", "acme", "-w", w).code == 0
    assert cli("retention", "plan", "--client", "acme", "--method", "overwrite",
               "-w", w, "--as", "ana").code == 0  # fmt: skip
    assert cli("retention", "approve", "DP-0001", "-w", w, "--as", "max").code == 0
    return {"w": w, "root": root}


def _execute(cli, w: str, user: str = "ana") -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    steps: list[dict[str, Any]] = _json(
        cli("retention", "dispose", "DP-0001", "--execute", "-f", "json", "-w", w, "--as", user)
    )
    return steps


def _trail(cli, w: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["action"] for e in _json(cli("audit", "log", "-f", "json", "-w", w))]


def test_a_hold_on_another_category_of_the_file_stops_its_disposal(cli, approved) -> None:  # type: ignore[no-untyped-def]
    w, root = approved["w"], approved["root"]
    assert cli("retention", "hold", "add", "--client", "acme", "--matter", "DSAR 17",
               "--reason", "subject access request", "--category", "PII",
               "-w", w, "--as", "max").code == 0  # fmt: skip
    dry = _json(cli("retention", "dispose", "DP-0001", "-f", "json", "-w", w, "--as", "ana"))
    assert {(s["action"], s["reason"]) for s in dry} == {("skip", "under legal hold LH-0001")}
    assert {s["action"] for s in _execute(cli, w)} == {"skip"}
    assert (root / "exports" / "a.csv").exists()
    assert (root / "exports" / "b.csv").exists()


def test_a_hold_placed_while_the_plan_runs_stops_the_next_item(  # type: ignore[no-untyped-def]
    cli, approved, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, root = approved["w"], approved["root"]
    from dataward.retention import execute

    real = execute.dispose

    def and_then_a_hold(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        from django.utils import timezone

        from dataward.core.models import Client
        from dataward.retention.models import LegalHold

        LegalHold.objects.create(
            client=Client.objects.get(slug="acme"), ref="LH-0099", matter="late", path="*/b.csv",
            reason="arrived mid-run", placed_by="max", placed_at=timezone.now(),
        )  # fmt: skip

    monkeypatch.setattr(execute, "dispose", and_then_a_hold)
    steps = _execute(cli, w)
    assert [(s["action"], s["reason"]) for s in steps][1] == ("skip", "under legal hold LH-0099")
    assert not (root / "exports" / "a.csv").exists()
    assert (root / "exports" / "b.csv").exists()


def test_the_approver_cannot_execute(cli, ws_root: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = str(ws_root)
    (tmp_path / "c.json").write_text(json.dumps(CLIENTS))
    cli("clients", "import", str(tmp_path / "c.json"), "-w", w)
    cli("users", "add", "ana", "--role", "analyst", "-w", w)
    cli("users", "add", "ada", "--role", "admin", "-w", w)
    _extract(tmp_path / "share" / "a.csv", 400)
    cli("scan", str(tmp_path / "share"), "--client", "acme", "-w", w)
    assert cli("retention", "plan", "--client", "acme", "-w", w, "--as", "ana").code == 0
    assert cli("retention", "approve", "DP-0001", "-w", w, "--as", "ada").code == 0
    assert_one_line_error(cli("retention", "dispose", "DP-0001", "--execute", "-w", w,
                              "--as", "ada"), "you approved this plan")  # fmt: skip
    assert (tmp_path / "share" / "a.csv").exists()


KILLED = """
import os, signal, sys
from dataward.retention.engine import dispose as engine

def half_then_killed(fd, size):
    os.pwrite(fd, bytes(size // 2), 0)
    os.fsync(fd)
    os.kill(os.getpid(), signal.SIGKILL)

engine._overwrite = half_then_killed
from dataward.cli import main
sys.exit(main(sys.argv[1:]))
"""

WAITS = """
import sys, time
from pathlib import Path
from dataward.retention.engine import dispose as engine
real, flag = engine._digest, Path(sys.argv[1])

def slow(fd):
    flag.with_suffix(".ready").touch()
    while not flag.exists():
        time.sleep(0.05)
    return real(fd)

engine._digest = slow
from dataward.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    code = textwrap.dedent(script)
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip


def test_a_run_killed_mid_overwrite_resumes_and_finishes_that_file(cli, approved) -> None:  # type: ignore[no-untyped-def]
    w, root = approved["w"], approved["root"]
    proc = _python(KILLED, "retention", "dispose", "DP-0001", "--execute", "-w", w, "--as", "ana")
    proc.communicate(timeout=120)
    assert proc.returncode == -9
    half = (root / "exports" / "a.csv").read_bytes()
    assert half.startswith(b"\0\0\0")
    assert not set(half) <= {0}  # partly overwritten
    (item,) = [
        i for i in _json(cli("retention", "show", "DP-0001", "-f", "json", "-w", w))
        if i["path"].endswith("a.csv")
    ]  # fmt: skip
    assert item["status"] == "destroying"
    steps = _execute(cli, w)
    assert [(s["action"], s["reason"]) for s in steps] == [
        ("disposed", "completed on resume: overwrited; verified absent"),
        ("disposed", "overwrited; verified absent"),
    ]
    assert sorted(p.name for p in (root / "exports").iterdir()) == []
    assert _trail(cli, w).count("retention.dispose") == 2
    assert _trail(cli, w).count("retention.skip") == 0


def test_two_runs_of_one_plan_never_both_work(cli, approved, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w, root = approved["w"], approved["root"]
    flag = tmp_path / "go"
    first = _python(WAITS, str(flag), "retention", "dispose", "DP-0001", "--execute",
                    "-w", w, "--as", "ana")  # fmt: skip
    try:
        deadline = time.time() + 60
        while not flag.with_suffix(".ready").exists():
            assert first.poll() is None, first.communicate()
            assert time.time() < deadline
            time.sleep(0.05)
        assert_one_line_error(
            cli("retention", "dispose", "DP-0001", "--execute", "-w", w, "--as", "ada"),
            "another process is executing DP-0001",
        )
    finally:
        flag.touch()
        out, errs = first.communicate(timeout=120)
    assert first.returncode == 0, errs
    assert not list((root / "exports").iterdir())
    assert _trail(cli, w).count("retention.dispose") == 2
    shown = _json(cli("retention", "show", "DP-0001", "-f", "json", "-w", w))
    assert {(i["status"], i["operator"]) for i in shown} == {("disposed", "ana")}


def test_a_user_scoped_to_another_client_sees_and_disposes_nothing(cli, approved) -> None:  # type: ignore[no-untyped-def]
    w, root = approved["w"], approved["root"]
    assert cli("users", "add", "bob", "--role", "analyst", "--client", "other", "-w", w).code == 0
    cli("retention", "hold", "add", "--client", "acme", "--matter", "M", "--reason", "R",
        "--path", "*/nothing.csv", "-w", w, "--as", "max")  # fmt: skip
    as_bob = ("-w", w, "--as", "bob")
    for args in (
        ("retention", "overdue", "--client", "acme"),
        ("retention", "plan", "--client", "acme"),
        ("retention", "show", "DP-0001"),
        ("retention", "dispose", "DP-0001"),
        ("retention", "dispose", "DP-0001", "--execute"),
        ("retention", "policy", "show", "--client", "acme"),
        ("retention", "hold", "release", "LH-0001", "--reason", "x"),
        ("retention", "certificate", "DP-0001", "-o", str(root / "c.csv"), "--kind", "csv"),
    ):
        result = cli(*args, *as_bob)
        assert_one_line_error(result)
        # refused as not allowed, or told the client's plan or hold does not exist for bob
        assert "bob (analyst) may not" in result.err or "error: no " in result.err.replace(
            "--client: ", ""
        ).replace("plan: ", "").replace("hold: ", ""), result.err
    assert _json(cli("retention", "plans", "-f", "json", *as_bob)) == []
    assert _json(cli("retention", "hold", "list", "-f", "json", *as_bob)) == []
    assert len(list((root / "exports").iterdir())) == 2


def test_a_file_that_cannot_be_planned_is_named_not_silently_dropped(  # type: ignore[no-untyped-def]
    cli, ws_root: Path, tmp_path: Path
) -> None:
    w = str(ws_root)
    (tmp_path / "c.json").write_text(json.dumps(CLIENTS))
    cli("clients", "import", str(tmp_path / "c.json"), "-w", w)
    root = tmp_path / "share"
    _extract(root / "a.csv", 400)
    _extract(root / "b.csv", 400, rows=5)
    assert cli("scan", str(root), "--client", "acme", "-w", w).code == 0
    os.link(root / "b.csv", tmp_path / "kept-elsewhere.csv")
    made = cli("retention", "plan", "--client", "acme", "-f", "json", "-w", w)
    assert _json(made)[0]["items"] == 1
    assert "b.csv left out of the plan: the file has 2 hard links" in made.err
    (root / "a.csv").unlink()
    assert_one_line_error(cli("retention", "plan", "--client", "acme", "-w", w),
                          "no overdue file of acme can be planned", "2 left out")  # fmt: skip
