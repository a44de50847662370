"""Convert the rules in force to a SIEM's queries with pySigma's own backends.

``splunk`` gives SPL (correlations as ``bin``/``stats`` searches); ``elasticsearch`` gives
ES|QL (correlations included, where the backend supports them), falling back to Lucene for a
rule ES|QL cannot express. Rules that read the ``dataward.*`` enrichment fields need the same
facts in the SIEM (lookups of the HR roster, client hours, sensitive files); the export says so
above each such rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sigma.collection import SigmaCollection
from sigma.exceptions import SigmaError

from dataward.errors import DatawardError
from dataward.monitoring.engine.rules import RuleSet

TARGETS = ("splunk", "elasticsearch")


def _backends(target: str) -> list[Any]:
    """Return the backends to try for a target, best first."""
    if target == "splunk":
        from sigma.backends.splunk.splunk import SplunkBackend

        return [SplunkBackend()]
    from sigma.backends.elasticsearch.elasticsearch_esql import ESQLBackend
    from sigma.backends.elasticsearch.elasticsearch_lucene import LuceneBackend

    return [ESQLBackend(), LuceneBackend()]


def export(rules: RuleSet, target: str) -> str:
    """Return every rule of the set converted for the target, one commented block each."""
    if target not in TARGETS:
        raise DatawardError(f"unknown target {target!r}", "--target", f"use {', '.join(TARGETS)}")
    origins = sorted({r.origin for r in rules.rules} | {c.origin for c in rules.correlations})
    texts = [Path(o).read_text(encoding="utf-8") for o in origins]
    try:
        coll = SigmaCollection.from_yaml("\n---\n".join(texts), collect_errors=True)
        coll.resolve_rule_references()
    except SigmaError as exc:
        raise DatawardError(
            f"the rules do not parse together: {exc}",
            "rules export",
            "run `dataward rules list` to find the rule at fault",
        ) from None
    wanted = set(rules.keys())
    blocks = [f"# dataward rules for {target}; {len(wanted)} rules\n"]
    for item in coll.rules:
        key = str(getattr(item, "name", None) or getattr(item, "id", None) or item.title)
        if key not in wanted or item.errors:
            continue
        if getattr(item, "_backreferences", None) and not hasattr(item, "correlation"):
            generate = next((r for r in rules.rules if r.key == key), None)
            if generate is not None and not generate.generate:
                continue  # only feeds a correlation; converted inside it
        blocks.append(_block(target, key, item))
    return "\n".join(blocks)


def _block(target: str, key: str, item: Any) -> str:
    """Return one rule's converted query with a header, or the reason it cannot be."""
    head = f"# {key}: {item.title} (level {getattr(item.level, 'name', 'medium').lower()})"
    notes = []
    text = str(item.to_dict())
    if "dataward." in text:
        notes.append("# needs the dataward.* enrichment fields (see docs/monitoring.md)")
    problems = []
    for backend in _backends(target):
        refs = [r.rule for r in getattr(item, "rules", None) or [] if hasattr(r, "rule")]
        try:
            queries = backend.convert(SigmaCollection([*refs, item]))
        except (SigmaError, NotImplementedError) as exc:
            problems.append(f"{type(backend).__name__}: {exc}")
            continue
        body = "\n".join(str(q) for q in queries)
        return "\n".join([head, *notes, body, ""])
    return "\n".join([head, *notes, f"# cannot be converted: {'; '.join(problems)}", ""])
