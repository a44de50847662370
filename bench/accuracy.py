"""Measure the detectors' accuracy on the labeled synthetic corpus: per-entity P/R/F1 and MB/s.

Run with `.venv/bin/python bench/accuracy.py [--docs 2000] [--seed 11] [--json] [--errors N]`.
It generates the corpus with the project's own generator, runs `detect` on each document's
text on one core, and matches predictions to the labels (same type, overlap of at least half
the true span, each label and prediction used once). The table goes to stdout; with --errors
up to N missed and N spurious examples per type go to stderr, the value itself masked.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from dataward.demo.engine.corpus import LabeledDoc, generate_corpus
from dataward.demo.engine.corpus_eval import Counts, Located, add, mask_text, match, metrics, score
from dataward.discovery.engine.types import ENTITIES

Detect = Callable[..., Sequence[Located]]
CONTEXT = 24


def _load(spec: str) -> Detect:
    """Import the detect function named ``module:function``."""
    module, _, name = spec.partition(":")
    try:
        found: Detect = getattr(importlib.import_module(module), name or "detect")
    except (ImportError, AttributeError) as exc:
        sys.exit(f"cannot load the detector {spec!r}: {type(exc).__name__}")
    return found


def _snippet(doc: LabeledDoc, item: Located) -> str:
    """Return the value masked, with a little unmasked context either side, on one line."""
    before = doc.text[max(0, item.start - CONTEXT) : item.start]
    after = doc.text[item.end : item.end + CONTEXT]
    value = mask_text(doc.text[item.start : item.end])
    return f"{before}[{value}]{after}".replace("\n", " | ")


def _errors(docs: list[LabeledDoc], found: list[Sequence[Located]], limit: int) -> None:
    """Print up to ``limit`` missed and spurious examples per entity type to stderr."""
    shown: dict[tuple[str, str], int] = {}
    for doc, predictions in zip(docs, found, strict=True):
        result = match(doc.spans, predictions)
        for label, items in (("FN", result.missed), ("FP", result.spurious)):
            for item in items:
                key = (label, item.entity_type)
                if shown.get(key, 0) < limit:
                    shown[key] = shown.get(key, 0) + 1
                    print(
                        f"{label} {item.entity_type} {doc.name}: {_snippet(doc, item)}",
                        file=sys.stderr,
                    )


def run(docs: list[LabeledDoc], detect: Detect) -> tuple[Counts, list[Sequence[Located]], float]:
    """Run the detector on every document; return the counts, the predictions and seconds."""
    total: Counts = {}
    found: list[Sequence[Located]] = []
    seconds = 0.0
    for doc in docs:
        start = time.perf_counter()
        predictions = list(detect(doc.text))
        seconds += time.perf_counter() - start
        found.append(predictions)
        add(total, score(doc.spans, predictions))
    return total, found, seconds


def _table(table: dict[str, dict[str, float]], mb_s: float, docs: int, mb: float) -> None:
    """Print the per-entity table and the summary lines."""
    head = (
        f"{'entity':<16}{'support':>8}{'TP':>7}{'FP':>7}{'FN':>7}{'prec':>8}{'recall':>8}{'F1':>8}"
    )
    print(head)
    print("-" * len(head))
    for entity in [*ENTITIES, "micro"]:
        r = table[entity]
        print(
            f"{entity:<16}{r['support']:>8.0f}{r['tp']:>7.0f}{r['fp']:>7.0f}{r['fn']:>7.0f}"
            f"{r['precision']:>8.3f}{r['recall']:>8.3f}{r['f1']:>8.3f}"
        )
    print(
        f"\n{docs} documents, {mb:.2f} MB; micro-F1 {table['micro']['f1']:.3f}; "
        f"detect speed {mb_s:.2f} MB/s on one core"
    )


def main() -> None:
    """Generate the corpus, run the detectors, score them and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--errors", type=int, default=0, help="examples per type on stderr")
    parser.add_argument("--detector", default="dataward.discovery:detect", help="module:function")
    args = parser.parse_args()
    detect = _load(args.detector)
    docs = generate_corpus(args.docs, seed=args.seed)
    total, found, seconds = run(docs, detect)
    table = metrics(total)
    mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    mb_s = mb / seconds if seconds else 0.0
    if args.errors:
        _errors(docs, found, args.errors)
    if args.json:
        out: dict[str, Any] = {"docs": len(docs), "seed": args.seed, "mb": round(mb, 3)}
        out.update(seconds=round(seconds, 3), mb_s=round(mb_s, 3), micro=table.pop("micro"))
        out["entities"] = table
        print(json.dumps(out))
        return
    _table(table, mb_s, len(docs), mb)


if __name__ == "__main__":
    main()
