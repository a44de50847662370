"""Replay every input the fuzzers found, and check each harness has a target and seeds that run.

The inputs live in ``fuzz/regressions/<target>/`` (named after what they broke); each went
through the harness's own target function, which raises on a crash, so a regression fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import FUZZ, load_targets

targets = load_targets()
CASES = sorted(p for p in (FUZZ / "regressions").glob("*/*") if p.is_file())


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_found_input_is_handled(case: Path) -> None:
    targets.TARGETS[case.parent.name].run(case.read_bytes())


def test_regression_folders_name_targets() -> None:
    folders = {p.name for p in (FUZZ / "regressions").iterdir() if p.is_dir()}
    assert folders <= set(targets.TARGETS), folders - set(targets.TARGETS)
    assert len(CASES) >= 10


def test_every_extractor_and_importer_has_a_harness() -> None:
    wanted = {"csv", "json", "xlsx", "docx", "pdf", "eml", "zip", "detect", "hr", "scim",
              "entitlements", "mdm_csv", "jamf", "osquery", "collector", "logs_jsonl"}  # fmt: skip
    assert wanted <= set(targets.TARGETS)
    scripts = {p.stem.removeprefix("fuzz_") for p in FUZZ.glob("fuzz_*.py")}
    assert scripts == set(targets.TARGETS)
    for name in scripts:
        text = (FUZZ / f"fuzz_{name}.py").read_text()
        assert f'prepare("{name}")' in text
        assert "atheris.Fuzz()" in text


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
def test_target_reads_its_seeds(name: str) -> None:
    target = targets.TARGETS[name]
    seeds = list(targets.seeds(target, None))
    assert seeds, f"{name} has no seed of its own"
    for data in seeds:
        target.run(data)


def test_targets_report_broken_promises() -> None:
    with pytest.raises(targets.BrokenPromise, match="one short line"):
        targets.one_line("bad\nreason")
    with pytest.raises(targets.BrokenPromise, match="control characters"):
        targets.one_line("has no 'name' column (it has: a\x00b)")
    with pytest.raises(targets.BrokenPromise, match="quotes a sensitive value"):
        targets.one_line(f"value {targets.CANARY}", targets.CANARY.encode())
    targets.one_line("binary")


def test_scan_bytes_finds_values_in_a_seed() -> None:
    xlsx = targets.seeds(targets.TARGETS["xlsx"], None)
    result = targets.scan_bytes("seed.xlsx", next(iter(xlsx)))
    assert {"EMAIL_ADDRESS", "US_SSN"} <= set(result.tally.counts)
