"""`dataward demo` end to end: estate imported, checks run, oracle report shaped as promised."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataward.demo.oracle import AREAS, AreaOutcome, compare

AS_OF = "2026-11-28"


def test_demo_summary_per_client(cli, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    result = cli("demo", "-w", str(root), "--as-of", AS_OF, "-f", "json")
    assert result.code == 0, result
    rows = {r["client"]: r for r in json.loads(result.out)}
    assert set(rows) == {"northbank", "carewell", "telora", "operation"}
    assert rows["northbank"]["data"] == "PII, PCI, FINANCIAL"
    assert rows["carewell"]["files"] > 5
    for slug in ("northbank", "carewell", "telora", "operation"):
        assert rows[slug]["checks"].startswith("pass"), rows[slug]
    # Every client has planted problems; the operation's are the admin without MFA and the
    # register's risk accepted by its own owner.
    assert rows["operation"]["checks"].endswith("fail 2"), rows["operation"]
    for slug in ("northbank", "carewell", "telora"):
        assert "fail" in rows[slug]["checks"], rows[slug]
    assert (root / "estate" / "manifest.json").exists()
    users = json.loads(cli("users", "list", "-f", "json", "-w", str(root)).out)
    roles = {u["username"]: (u["role"], u["clients"]) for u in users}
    assert roles["viewer-telora"] == ("client-viewer", ["telora"])
    assert roles["demo-auditor"] == ("auditor", ["(all)"])
    again = cli("demo", "-w", str(root), "--as-of", AS_OF, "-f", "json")
    assert again.code == 0, again
    assert "0 added or updated, 3 unchanged" in again.err
    assert cli("audit", "verify", "-w", str(root)).code == 0


def test_demo_verify_json_shape(cli, tmp_path: Path) -> None:
    result = cli("demo", "-w", str(tmp_path / "ws"), "--as-of", AS_OF, "--verify", "-f", "json")
    assert result.code == 0, result
    report = json.loads(result.out)
    assert set(report["areas"]) == set(AREAS)
    manifest = json.loads((tmp_path / "ws" / "estate" / "manifest.json").read_text())
    for area, outcome in report["areas"].items():
        planted = [p["id"] for p in manifest["planted"] if p["area"] == area]
        assert outcome["planted"] == len(planted) > 0
        assert {"planted", "found", "missed", "false_alarms"} <= set(outcome)
        assert isinstance(outcome["missed"], list)
        assert isinstance(outcome["false_alarms"], list)


def test_demo_in_a_temporary_workspace_leaves_nothing(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = cli("demo", "--as-of", AS_OF)
    assert result.code == 0, result
    assert "per client" in result.out
    assert list(tmp_path.iterdir()) == []


def test_demo_generate_command(cli, tmp_path: Path) -> None:
    out = tmp_path / "estate"
    result = cli("demo", "generate", str(out), "--seed", "3", "--as-of", AS_OF)
    assert result.code == 0, result
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3
    assert f"{len(manifest['files'])} files" in result.err
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    refused = cli("demo", "generate", str(busy))
    assert refused.code == 2
    assert "not empty" in refused.err
    assert (busy / "keep.txt").read_text() == "mine"
    assert cli("demo", "generate", str(out), "--as-of", "yesterday").code == 2


MANIFEST = {
    "planted": [
        {"id": "a1", "area": "access"},
        {"id": "a2", "area": "access"},
        {"id": "d1", "area": "devices"},
    ]
}


@pytest.mark.parametrize(
    ("outcomes", "ok", "access"),
    [
        ([], True, {"built": False, "found": 0, "missed": [], "not_checked": ["a1", "a2"]}),
        (
            [AreaOutcome("access", ("a1", "a2"))],
            True,
            {"built": True, "found": 2, "missed": [], "not_checked": []},
        ),
        (
            [AreaOutcome("access", ("a1",))],
            False,
            {"built": True, "found": 1, "missed": ["a2"], "not_checked": []},
        ),
        (
            [AreaOutcome("access", ("a1", "a2", "d1"), ("acct x",))],
            False,
            {
                "built": True,
                "found": 2,
                "missed": [],
                "not_checked": [],
                "false_alarms": ["acct x"],
            },
        ),
    ],
)
def test_oracle_compare(outcomes: list[AreaOutcome], ok: bool, access: dict[str, object]) -> None:
    report = compare(MANIFEST, outcomes)
    assert report["ok"] is ok
    for key, value in access.items():
        assert report["areas"]["access"][key] == value
    assert report["areas"]["devices"]["planted"] == 1


class _AlarmistRetentionPackage:
    """A plug-in that raises a retention problem the manifest never planted."""

    @staticmethod
    def _impl():  # type: ignore[no-untyped-def]
        from dataward.plugins import hookimpl

        @hookimpl
        def demo_verify(ctx):  # type: ignore[no-untyped-def]
            return [AreaOutcome("retention", (), ("carewell: made_up_check on nothing.csv",))]

        return demo_verify


def test_demo_verify_fails_on_a_false_alarm(cli, tmp_path: Path) -> None:
    import types

    from dataward.plugins import manager

    plugin = types.SimpleNamespace(demo_verify=_AlarmistRetentionPackage._impl())
    manager().register(plugin, name="alarmist-retention")
    try:
        result = cli("demo", "-w", str(tmp_path / "ws"), "--as-of", AS_OF, "--verify", "-f", "json")
    finally:
        manager().unregister(name="alarmist-retention")
    assert result.code == 1
    retention = json.loads(result.out)["areas"]["retention"]
    assert retention["built"] is True
    assert retention["found"] == 2
    assert retention["false_alarms"] == ["carewell: made_up_check on nothing.csv"]


def test_the_oracle_reports_what_a_built_area_missed() -> None:
    from dataward.demo.oracle import compare

    manifest = {"planted": [{"id": "a", "area": "retention"}, {"id": "b", "area": "retention"}]}
    report = compare(manifest, [AreaOutcome("retention", ("a",))])
    assert report["ok"] is False
    assert report["areas"]["retention"]["missed"] == ["b"]
    assert report["areas"]["retention"]["found"] == 1


def test_demo_never_writes_into_a_real_workspace(cli, tmp_path: Path) -> None:
    real = tmp_path / "real"
    assert cli("init", "-w", str(real)).code == 0
    refused = cli("demo", "-w", str(real), "--as-of", AS_OF)
    assert refused.code == 2
    assert "holds no demo estate" in refused.err
    from django.db import connections

    connections.close_all()
    result = cli(
        "demo",
        "--as-of",
        AS_OF,
        "-f",
        "json",
        DATAWARD_WORKSPACE=str(real),
        DATAWARD_DATABASE_URL=f"sqlite:///{real / 'dataward.sqlite3'}",
    )
    assert result.code == 0, result
    listed = cli("clients", "list", "-f", "json", "-w", str(real))
    assert json.loads(listed.out) == []
