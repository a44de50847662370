"""Evidence packs: one client's material only, hashed in a manifest that verify checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import assert_one_line_error


def _rezip(source: Path, target: Path, change: dict[str, bytes | None]) -> None:
    """Copy a zip, replacing (bytes), dropping (None) or adding members."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for name in src.namelist():
            if name in change:
                continue
            dst.writestr(name, src.read(name))
        for name, data in change.items():
            if data is not None:
                dst.writestr(name, data)


def test_pack_holds_one_clients_evidence_and_verifies(cli, demo_ws: Path, tmp_path: Path) -> None:
    w = str(demo_ws)
    proof = tmp_path / "awareness-completions.csv"
    proof.write_text("employee,completed\nE1,2026-10-02\n")
    assert (
        cli(
            "attest",
            "TR-01",
            "--client",
            "telora",
            "--statement",
            "done",
            "--evidence",
            str(proof),
            "-w",
            w,
        ).code
        == 0
    )
    pack = tmp_path / "telora.zip"
    made = cli("evidence-pack", "--client", "telora", "-o", str(pack), "-w", w)
    assert made.code == 0, made
    with zipfile.ZipFile(pack) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        texts = {
            n: archive.read(n).decode("utf-8", "replace")
            for n in names
            if not n.endswith((".pdf", ".xlsx"))
        }
        attested = json.loads(archive.read("attestations.json"))
    assert {
        "report/telora.html",
        "report/telora.pdf",
        "report/telora.xlsx",
        "report/telora.oscal.json",
        "catalog.oscal.json",
        "checklist.csv",
        "results.jsonl",
        "exceptions.json",
    } <= names
    file_path = attested[0]["files"][0]["path"]
    assert file_path.startswith("attestations/TR-01/")
    assert file_path in names
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json"}
    for name, text in texts.items():
        if name != "catalog.oscal.json":
            assert "northbank" not in text.lower(), name
            assert "carewell" not in text.lower(), name
    ok = cli("evidence-pack", "verify", str(pack))
    assert ok.code == 0, ok
    assert "intact" in ok.err


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"checklist.csv": b"control\nXX-01\n"}, ("checklist.csv", "altered")),
        ({"results.jsonl": None}, ("results.jsonl", "missing")),
        ({"extra/notes.txt": b"added later"}, ("extra/notes.txt", "not in the manifest")),
    ],
)
def test_verify_finds_tampering(
    cli, demo_ws: Path, tmp_path: Path, change: dict, problem: tuple
) -> None:
    pack = tmp_path / "nb.zip"
    assert (
        cli("evidence-pack", "--client", "northbank", "-o", str(pack), "-w", str(demo_ws)).code == 0
    )
    bad = tmp_path / "bad.zip"
    _rezip(pack, bad, change)
    result = cli("evidence-pack", "verify", str(bad))
    assert result.code == 1
    assert problem[0] in result.out
    assert problem[1] in result.out


def test_verify_needs_no_workspace_and_rejects_non_packs(
    cli, demo_ws: Path, tmp_path: Path
) -> None:
    pack = tmp_path / "cw.zip"
    assert (
        cli("evidence-pack", "--client", "carewell", "-o", str(pack), "-w", str(demo_ws)).code == 0
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    code = "import sys; from dataward.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, "evidence-pack", "verify", str(pack)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip")
    assert_one_line_error(cli("evidence-pack", "verify", str(junk)), "junk.zip")
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("a.txt", "x")
    assert "not a dataward evidence pack" in cli("evidence-pack", "verify", str(plain)).out


def test_a_damaged_member_is_reported_not_fatal(cli, demo_ws: Path, tmp_path: Path) -> None:
    pack = tmp_path / "nb.zip"
    assert (
        cli("evidence-pack", "--client", "northbank", "-o", str(pack), "-w", str(demo_ws)).code == 0
    )
    data = bytearray(pack.read_bytes())
    with zipfile.ZipFile(pack) as z:
        info = z.getinfo("checklist.csv")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
    data[start] ^= 0xFF  # flip a byte inside the compressed member
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(data))
    result = cli("evidence-pack", "verify", str(broken))
    assert result.code == 1, result
    assert "checklist.csv" in result.out
