"""Score ``detect`` on the hand-written held-out cases: per-entity P/R/F1, micro-F1 and errors.

Run with `.venv/bin/python bench/heldout.py [--set main|blind|all] [--quiet]`. The cases live in
tests/discovery/heldout/cases.py (main) and cases_blind.py (blind: longer documents, written
before its round of fixes); both were written independently of the demo corpus generator;
matching is the same as bench/accuracy.py (same type, overlap of at least half the true span).
Every missed (FN) and spurious (FP) value is printed with the span marked in its snippet.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from dataward.demo.engine.corpus_eval import Counts, add, match, metrics, score
from dataward.discovery import detect
from dataward.discovery.engine.types import ENTITIES

HELDOUT = Path(__file__).resolve().parents[1] / "tests" / "discovery" / "heldout"
SETS = {"main": ("cases.py",), "blind": ("cases_blind.py",), "all": ("cases.py", "cases_blind.py")}


def load_cases(which: str = "main") -> list[Any]:
    """Import the cases module(s) of one set from their files and return their cases."""
    cases: list[Any] = []
    for filename in SETS[which]:
        name = f"heldout_{Path(filename).stem}"
        spec = importlib.util.spec_from_file_location(name, HELDOUT / filename)
        assert spec is not None
        assert spec.loader is not None
        module: ModuleType = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        cases.extend(module.load())
    return cases


def evaluate(cases: list[Any]) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Run ``detect`` on every case; return the metrics table and one line per error."""
    total: Counts = {}
    errors: list[str] = []
    for case in cases:
        found = detect(case.text)
        add(total, score(case.spans, found))
        result = match(case.spans, found)
        for label, items in (("FN", result.missed), ("FP", result.spurious)):
            for item in items:
                marked = (
                    f"{case.text[max(0, item.start - 50) : item.start]}[["
                    f"{case.text[item.start : item.end]}]]{case.text[item.end : item.end + 30]}"
                )
                line = marked.replace("\n", " | ")
                errors.append(f"{label} {item.entity_type:<15} {case.name}: {line}")
    return metrics(total), errors


def main() -> None:
    """Score the held-out cases and print the table and the errors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="do not list the errors")
    parser.add_argument("--set", choices=sorted(SETS), default="main", help="which cases to score")
    args = parser.parse_args()
    cases = load_cases(args.set)
    table, errors = evaluate(cases)
    head = (
        f"{'entity':<16}{'support':>8}{'TP':>6}{'FP':>6}{'FN':>6}{'prec':>8}{'recall':>8}{'F1':>8}"
    )
    print(head)
    print("-" * len(head))
    for entity in [*ENTITIES, "micro"]:
        r = table[entity]
        print(
            f"{entity:<16}{r['support']:>8.0f}{r['tp']:>6.0f}{r['fp']:>6.0f}{r['fn']:>6.0f}"
            f"{r['precision']:>8.3f}{r['recall']:>8.3f}{r['f1']:>8.3f}"
        )
    print(f"\n{args.set} set: {len(cases)} cases; micro-F1 {table['micro']['f1']:.3f}")
    if not args.quiet:
        print()
        print("\n".join(sorted(errors)))


if __name__ == "__main__":
    main()
