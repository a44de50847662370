"""The detectors generalise beyond the demo corpus: score the hand-written held-out cases.

Two sets: cases.py (main) and cases_blind.py (longer documents, written before its round of
fixes); each must reach micro-F1 0.95 and F1 0.90 on every type with at least five values.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from dataward.demo.engine.corpus_eval import Counts, add, metrics, score
from dataward.discovery import detect
from dataward.discovery.engine.types import ENTITIES

SETS = ("cases.py", "cases_blind.py")


def _cases_module(filename: str = "cases.py") -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"heldout_{Path(filename).stem}_test", Path(__file__).with_name(filename)
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=SETS)
def table(request: pytest.FixtureRequest) -> dict[str, dict[str, float]]:
    total: Counts = {}
    for case in _cases_module(request.param).load():
        add(total, score(case.spans, detect(case.text)))
    return metrics(total)


@pytest.mark.parametrize("filename", SETS)
def test_cases_are_well_formed(filename: str) -> None:
    cases = _cases_module(filename).load()
    assert len(cases) >= 150
    assert len({case.name for case in cases}) == len(cases)
    for case in cases:
        for span in case.spans:
            assert span.entity_type in ENTITIES
            assert 0 <= span.start < span.end <= len(case.text)
            assert "[[" not in case.text


def test_micro_f1(table: dict[str, dict[str, float]]) -> None:
    assert table["micro"]["f1"] >= 0.95


@pytest.mark.parametrize("entity", ENTITIES)
def test_each_type(table: dict[str, dict[str, float]], entity: str) -> None:
    row = table[entity]
    if row["support"] >= 5:
        assert row["f1"] >= 0.90, (entity, row)
