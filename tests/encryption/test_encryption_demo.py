"""The demo: channels, endpoints and the at-rest register imported; the plants found, no alarm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

PLANTS = {
    "encryption-insecure-transfer-channel",
    "encryption-sensitive-data-on-unencrypted-volume",
    "encryption-open-archive-northbank",
    "encryption-open-archive-telora",
}


def _manifest(demo_ws: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((demo_ws / "estate" / "manifest.json").read_text())  # type: ignore[no-any-return]


def test_demo_verify_finds_every_encryption_plant_and_nothing_else(demo_ws: Path) -> None:
    from dataward.core.workspace import open_workspace
    from dataward.encryption.demo import verify

    manifest = _manifest(demo_ws)
    assert {p["id"] for p in manifest["planted"] if p["area"] == "encryption"} == PLANTS
    ctx = SimpleNamespace(
        ws=open_workspace(demo_ws, env={}), manifest=manifest, estate=demo_ws / "estate"
    )
    [outcome] = verify(ctx)
    assert outcome.area == "encryption"
    assert set(outcome.found) == PLANTS
    assert outcome.false_alarms == ()


def test_demo_endpoints_are_in_scope_but_never_checked(cli, demo_ws: Path) -> None:  # type: ignore[no-untyped-def]
    w = str(demo_ws)
    rows = json.loads(cli("tls", "endpoints", "list", "-f", "json", "-w", w).out)
    assert {(r["client"], r["endpoint"], r["verdict"]) for r in rows} == {
        ("northbank", "api.northbankretail.com:443", "never checked"),
        ("carewell", "eligibility-api.carewellhealth.com:443", "never checked"),
        ("telora", "billing-api.teloramobile.co.uk:443", "never checked"),
    }
    out = cli("assess", "-f", "json", "-w", w)
    tls = [r for r in json.loads(out.out)["results"] if r["check"].startswith("encryption_tls")]
    assert {r["client"]: r["status"] for r in tls} == {
        "operation": "not_applicable",
        "northbank": "warning",
        "carewell": "warning",
        "telora": "warning",
    }
    assert all("dataward tls check" in r["summary"] for r in tls if r["status"] == "warning")


def test_the_demo_registers_import_unchanged_on_rerun(cli, demo_ws: Path) -> None:  # type: ignore[no-untyped-def]
    w, estate = str(demo_ws), demo_ws / "estate"
    channels = cli(
        "encryption",
        "channels",
        "import",
        str(estate / "channels/transfer_channels.json"),
        "--client",
        "telora",
        "-f",
        "json",
        "-w",
        w,
    )
    assert json.loads(channels.out)[0]["unchanged"] == 2
    at_rest = cli(
        "encryption",
        "locations",
        "import",
        str(estate / "encryption/at_rest_register.csv"),
        "--client",
        "carewell",
        "-f",
        "json",
        "-w",
        w,
    )
    assert json.loads(at_rest.out)[0]["unchanged"] == 2


def _run(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    code = "import sys; from dataward.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "-w", str(ws), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_encryption_commands_in_a_new_process(tmp_path: Path, estate: Path) -> None:
    ws = tmp_path / "ws"
    steps = [
        ("init",),
        ("clients", "import", str(estate / "clients.json")),
        (
            "encryption",
            "channels",
            "import",
            str(estate / "channels/transfer_channels.json"),
            "--client",
            "carewell",
        ),
        ("encryption", "channels", "list", "-f", "json"),
        (
            "encryption",
            "locations",
            "import",
            str(estate / "encryption/at_rest_register.csv"),
            "--client",
            "carewell",
        ),
        (
            "encryption",
            "locations",
            "set",
            "/srv/x",
            "--at-rest",
            "encrypted",
            "--client",
            "carewell",
        ),
        ("encryption", "locations", "list", "-f", "json"),
        ("tls", "endpoints", "add", "api.carewell.test", "--client", "carewell"),
        ("tls", "endpoints", "list", "-f", "json"),
        ("tls", "results", "-f", "json"),
        ("assess", "--client", "carewell", "-f", "json"),
    ]
    for step in steps:
        done = _run(ws, *step)
        assert done.returncode in (0, 1), (step, done.stderr)
        assert "internal error" not in done.stderr, (step, done.stderr)
