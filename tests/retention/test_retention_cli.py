"""`dataward retention` end to end on real files, on SQLite and PostgreSQL: find, plan, approve,
dispose, refuse what must not go, resume after a crash, certify."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from helpers import assert_one_line_error

CARDS = ["4539148803436467", "4716108999716531", "4024007134564842", "4929939187355598"]
CLIENT = {"slug": "acme", "name": "Acme Bank", "data_categories": ["PII", "PCI"],
          "retention_rules": [{"category": "PCI", "days": 90}, {"category": "PII", "days": 365}],
          "approved_locations": ["exports"]}  # fmt: skip


def _json(result: Any) -> Any:
    assert result.code == 0, result
    return json.loads(result.out)


def _extract(path: Path, days_old: int, salt: str = "") -> None:
    """Write a card extract and age it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["customer,card_number,email"]
    lines += [f"C{n}{salt},{c},c{n}@mail.example" for n, c in enumerate(CARDS)]
    path.write_text("\n".join(lines) + "\n")
    when = time.time() - days_old * 86400
    os.utime(path, (when, when))


@pytest.fixture
def share(ws_root: Path, cli, tmp_path: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A workspace with client acme, an analyst and a manager, and a scanned share."""
    w = str(ws_root)
    (tmp_path / "c.json").write_text(json.dumps([CLIENT]))
    assert cli("clients", "import", str(tmp_path / "c.json"), "-w", w).code == 0
    for name, role in (("ana", "analyst"), ("max", "manager"), ("ada", "admin")):
        assert cli("users", "add", name, "--role", role, "-w", w).code == 0
    root = tmp_path / "share"
    _extract(root / "exports" / "cards_2025.csv", 400)
    _extract(root / "exports" / "cards_old_b.csv", 200, salt="b")
    _extract(root / "exports" / "cards_new.csv", 5, salt="n")
    (root / "exports" / "notes.txt").write_text("nothing sensitive here\n")
    scan = cli("scan", str(root), "--client", "acme", "-f", "json", "-w", w)
    assert scan.code == 0, scan
    return {"w": w, "root": root}


def test_find_plan_approve_execute_and_certify(cli, share, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w, root = share["w"], share["root"]
    rows = _json(cli("retention", "overdue", "--client", "acme", "-f", "json", "-w", w))
    past = sorted(Path(r["location"]).name for r in rows if r["problem"] == "past retention")
    assert past == ["cards_2025.csv", "cards_old_b.csv"]
    old = next(r for r in rows if r["location"].endswith("cards_2025.csv"))
    assert (old["category"], old["keep_days"], old["age_days"]) == ("PCI", 90, 400)

    (plan,) = _json(cli("retention", "plan", "--client", "acme", "--method", "overwrite",
                        "-f", "json", "-w", w, "--as", "ana"))  # fmt: skip
    assert (plan["ref"], plan["status"], plan["items"]) == ("DP-0001", "draft", 2)
    assert_one_line_error(cli("retention", "dispose", "DP-0001", "--execute", "-w", w,
                              "--as", "ana"), "not approved")  # fmt: skip
    assert_one_line_error(cli("retention", "approve", "DP-0001", "-w", w, "--as", "ana"),
                          "may not approve")  # fmt: skip
    assert _json(cli("retention", "approve", "DP-0001", "-f", "json", "-w", w,
                     "--as", "max"))[0]["status"] == "approved"  # fmt: skip
    dry = _json(cli("retention", "dispose", "DP-0001", "-f", "json", "-w", w, "--as", "ana"))
    assert [s["action"] for s in dry] == ["dispose", "dispose"]
    assert (root / "exports" / "cards_2025.csv").exists()
    assert_one_line_error(cli("retention", "dispose", "DP-0001", "--execute", "-w", w,
                              "--as", "max"), "may not dispose")  # fmt: skip

    done = _json(cli("retention", "dispose", "DP-0001", "--execute", "-f", "json", "-w", w,
                     "--as", "ana"))  # fmt: skip
    assert [s["action"] for s in done] == ["disposed", "disposed"]
    assert sorted(p.name for p in (root / "exports").iterdir()) == ["cards_new.csv", "notes.txt"]
    assert _json(cli("retention", "plans", "-f", "json", "-w", w))[0]["status"] == "done"
    again = _json(cli("retention", "dispose", "DP-0001", "-f", "json", "-w", w, "--as", "ana"))
    assert {s["action"] for s in again} == {"done"}

    cert = tmp_path / "cert.csv"
    assert cli("retention", "certificate", "DP-0001", "--kind", "csv", "-o", str(cert),
               "-w", w).code == 0  # fmt: skip
    entries = list(csv.DictReader(io.StringIO(cert.read_text())))
    assert [Path(e["path"]).name for e in entries] == ["cards_2025.csv", "cards_old_b.csv"]
    assert {(e["method"], e["operator"], e["verifier"]) for e in entries} == {
        ("overwrite", "ana", "max")
    }
    assert all(len(e["sha256_before"]) == 64 and e["verification"] for e in entries)
    pdf = tmp_path / "cert.pdf"
    assert cli("retention", "certificate", "DP-0001", "-o", str(pdf), "-w", w).code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    trail = [e["action"] for e in _json(cli("audit", "log", "-f", "json", "-w", w))]
    assert trail.count("retention.dispose") == 2
    results = _json(cli("assess", "--client", "acme", "-f", "json", "-w", w))["results"]
    mine = {r["status"] for r in results if r["check"] == "retention_files_within_retention_period"}
    assert mine == {"pass"}


def test_the_maker_of_a_plan_cannot_approve_it(cli, share) -> None:  # type: ignore[no-untyped-def]
    w = share["w"]
    assert cli("retention", "plan", "--client", "acme", "-w", w, "--as", "ada").code == 0
    assert_one_line_error(cli("retention", "approve", "DP-0001", "-w", w, "--as", "ada"),
                          "you made this plan", "another user")  # fmt: skip
    assert cli("retention", "approve", "DP-0001", "-w", w, "--as", "max").code == 0
    assert_one_line_error(cli("retention", "approve", "DP-0001", "-w", w, "--as", "ada"),
                          "not a draft")  # fmt: skip


def test_each_refusal_leaves_the_file(cli, share) -> None:  # type: ignore[no-untyped-def]
    w, root = share["w"], share["root"]
    cli("retention", "plan", "--client", "acme", "-w", w, "--as", "ana")
    cli("retention", "approve", "DP-0001", "-w", w, "--as", "max")
    changed = root / "exports" / "cards_old_b.csv"
    changed.write_text(changed.read_text() + "C9,4111111111111111,x@mail.example\n")
    hold = cli("retention", "hold", "add", "--client", "acme", "--matter", "Doe v Acme",
               "--reason", "litigation", "--path", "*/cards_2025.csv",
               "-w", w, "--as", "max")  # fmt: skip
    assert hold.code == 0, hold
    steps = _json(cli("retention", "dispose", "DP-0001", "--execute", "-f", "json", "-w", w,
                      "--as", "ana"))  # fmt: skip
    reasons = {Path(s["path"]).name: (s["action"], s["reason"]) for s in steps}
    assert reasons["cards_2025.csv"] == ("skip", "under legal hold LH-0001")
    assert reasons["cards_old_b.csv"][0] == "skip"
    assert "changed since the plan" in reasons["cards_old_b.csv"][1]
    assert (root / "exports" / "cards_2025.csv").exists()
    assert changed.exists()
    results = _json(cli("assess", "--client", "acme", "-f", "json", "-w", w))["results"]
    held = [r for r in results if r["check"] == "retention_files_within_retention_period"
            and r["subject"].endswith("cards_2025.csv")]  # fmt: skip
    assert [r["status"] for r in held] == ["pass"]
    assert "legal hold LH-0001" in held[0]["summary"]


def test_a_held_file_is_never_planned(cli, share) -> None:  # type: ignore[no-untyped-def]
    w = share["w"]
    cli("retention", "hold", "add", "--client", "acme", "--matter", "Audit", "--reason", "audit",
        "--category", "PCI", "-w", w)  # fmt: skip
    assert_one_line_error(cli("retention", "plan", "--client", "acme", "-w", w), "nothing of acme")
    rows = _json(cli("retention", "overdue", "--client", "acme", "-f", "json", "-w", w))
    assert {r["held_by"] for r in rows if r["problem"] == "past retention"} == {"LH-0001"}


def test_a_symlink_swapped_in_after_planning_is_refused(cli, share, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w, root = share["w"], share["root"]
    cli("retention", "plan", "--client", "acme", "-w", w, "--as", "ana")
    cli("retention", "approve", "DP-0001", "-w", w, "--as", "max")
    elsewhere = tmp_path / "elsewhere"
    (root / "exports").rename(elsewhere)
    (root / "exports").symlink_to(elsewhere)
    steps = _json(cli("retention", "dispose", "DP-0001", "--execute", "-f", "json", "-w", w,
                      "--as", "ana"))  # fmt: skip
    assert {s["action"] for s in steps} == {"skip"}
    assert all("symlink" in s["reason"] for s in steps)
    assert (elsewhere / "cards_2025.csv").exists()


def test_an_interrupted_execution_resumes_without_repeating(  # type: ignore[no-untyped-def]
    cli, share, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, root = share["w"], share["root"]
    cli("retention", "plan", "--client", "acme", "-w", w, "--as", "ana")
    cli("retention", "approve", "DP-0001", "-w", w, "--as", "max")
    from dataward.retention import execute

    real = execute._done

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # the file is gone, its record not yet written

    monkeypatch.setattr(execute, "_done", crash)
    first = cli("retention", "dispose", "DP-0001", "--execute", "-w", w, "--as", "ana")
    assert first.code != 0
    assert not (root / "exports" / "cards_2025.csv").exists()
    assert (root / "exports" / "cards_old_b.csv").exists()
    monkeypatch.setattr(execute, "_done", real)
    steps = _json(cli("retention", "dispose", "DP-0001", "--execute", "-f", "json", "-w", w,
                      "--as", "ana"))  # fmt: skip
    assert [(s["action"], s["reason"]) for s in steps] == [
        ("disposed", "completed on resume: the file was already removed"),
        ("disposed", "deleted; verified absent"),
    ]
    trail = [e["action"] for e in _json(cli("audit", "log", "-f", "json", "-w", w))]
    assert trail.count("retention.dispose") == 2


def test_policy_file_rules_and_errors(cli, share, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = share["w"]
    good = tmp_path / "policy.yaml"
    good.write_text("policies:\n  - {client: '*', category: PCI, keep_days: 0}\n"
                    "  - {client: acme, category: PCI, path: 'exports/cards_new.csv',"
                    " keep_days: 30, note: dispute window}\n")  # fmt: skip
    assert cli("retention", "policy", "load", str(good), "-w", w).code == 0
    rows = _json(cli("retention", "overdue", "--client", "acme", "-f", "json", "-w", w))
    past = sorted(Path(r["location"]).name for r in rows if r["problem"] == "past retention")
    assert past == ["cards_2025.csv", "cards_old_b.csv"]  # cards_new: 5 days, its path keeps 30
    shown = _json(cli("retention", "policy", "show", "--client", "acme", "-f", "json", "-w", w))
    kept = {(r["client"], r["category"], r["keep_days"], r["path"]) for r in shown}
    assert ("acme", "PII", 365, "") in kept  # the contract's rules stay in force
    assert ("*", "PCI", 0, "") in kept
    bad = tmp_path / "bad.yaml"
    bad.write_text("policies:\n  - {client: acme, category: PCI, keep_days: soon}\n")
    assert_one_line_error(cli("retention", "policy", "load", str(bad), "-w", w),
                          "policy 1", "keep_days")  # fmt: skip
    bad.write_text("policies:\n  - {client: nobody, category: PCI, keep_days: 1}\n")
    assert_one_line_error(cli("retention", "policy", "load", str(bad), "-w", w), "client")


def test_other_clients_plans_and_holds_do_not_exist_for_a_scoped_user(
    cli, share, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    w = share["w"]
    (tmp_path / "o.json").write_text(json.dumps([{"slug": "other", "name": "Other"}]))
    assert cli("clients", "import", str(tmp_path / "o.json"), "-w", w).code == 0
    assert cli("users", "add", "oli", "--role", "manager", "--client", "other", "-w", w).code == 0
    cli("retention", "plan", "--client", "acme", "-w", w, "--as", "ana")
    cli("retention", "hold", "add", "--client", "acme", "--matter", "M", "--reason", "R", "-w", w)
    for args, needle in (
        (("retention", "show", "DP-0001"), "no disposal plan"),
        (("retention", "approve", "DP-0001"), "no disposal plan"),
        (("retention", "hold", "release", "LH-0001", "--reason", "x"), "no legal hold"),
        (("retention", "overdue", "--client", "acme"), "no client 'acme'"),
    ):
        result = cli(*args, "-w", w, "--as", "oli")
        assert_one_line_error(result, needle)
        assert "acme" not in result.err or needle.startswith("no client")


def test_an_absolute_policy_path_is_refused(cli, share, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "abs.yaml"
    bad.write_text("policies:\n  - {client: acme, category: PCI, keep_days: 1, path: /srv/x/*}\n")
    assert_one_line_error(cli("retention", "policy", "load", str(bad), "-w", share["w"]),
                          "policy 1", "below the scanned root")  # fmt: skip
