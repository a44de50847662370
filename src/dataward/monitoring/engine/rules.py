"""Load Sigma rule files with pySigma into rules the in-process evaluator runs.

A rule is keyed by its Sigma ``name`` (else its ``id``, else its file and title), so alerts and
cursors survive edits of its title. A ``dataward:`` block (kept by pySigma as a custom attribute)
may say how alerts of the rule are grouped: ``dedup`` (fields; default ``user.name``, then
``host.name``), ``dedup_hours`` (default 24) and ``summary`` (a text with ``{field}`` slots).
Anything pySigma rejects, or the evaluator cannot run, becomes a ``Broken`` entry with its reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import (
    SigmaCorrelationCondition,
    SigmaCorrelationRule,
    SigmaCorrelationType,
)
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from dataward.monitoring.engine.sigma_eval import (
    NotEvaluableError,
    Predicate,
    compile_rule,
    fields_of,
)

LEVELS = ("informational", "low", "medium", "high", "critical")
DEFAULT_DEDUP = ("user.name",)
PACK = Path(__file__).resolve().parent.parent / "rules"


@dataclass(frozen=True)
class Rule:
    """One detection rule, compiled."""

    key: str
    title: str
    level: str
    origin: str
    category: str | None
    product: str | None
    service: str | None
    predicate: Predicate
    fields: frozenset[str]
    dedup: tuple[str, ...] = DEFAULT_DEDUP
    dedup_hours: int = 24
    summary: str = ""
    generate: bool = True
    digest: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Correlation:
    """One Sigma correlation rule over the matches of its referenced rules."""

    key: str
    title: str
    level: str
    origin: str
    kind: str
    rules: tuple[str, ...]
    group_by: tuple[str, ...]
    seconds: int
    op: str
    count: int
    value_field: str | None = None
    summary: str = ""
    digest: str = ""
    description: str = ""


@dataclass(frozen=True)
class Broken:
    """A rule that cannot be evaluated, and why."""

    origin: str
    title: str
    reason: str


@dataclass
class RuleSet:
    """Every rule loaded, the correlations over them, and those that failed."""

    rules: list[Rule] = field(default_factory=list)
    correlations: list[Correlation] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)
    replaced: list[tuple[str, str, str]] = field(default_factory=list)  # key, old, new origin

    def by_key(self) -> dict[str, Rule]:
        """Return the rules by key."""
        return {r.key: r for r in self.rules}

    def keys(self) -> list[str]:
        """Return every rule and correlation key."""
        return [r.key for r in self.rules] + [c.key for c in self.correlations]


def rule_files(folders: Iterable[Path]) -> list[Path]:
    """Return the .yml/.yaml files under the folders, sorted, the pack's first."""
    found: list[Path] = []
    for folder in folders:
        if folder.is_file():
            found.append(folder)
        elif folder.is_dir():
            found += sorted(p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml"))
    return found


def load(files: Iterable[Path]) -> RuleSet:
    """Parse and compile every rule in the files into one rule set.

    Files are parsed one by one without resolving references, so a workspace correlation may
    name a pack rule; a later rule or correlation with the key of an earlier one replaces it.
    """
    out = RuleSet()
    parsed: dict[str, tuple[Path, str, Any]] = {}
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
            coll = SigmaCollection.from_yaml(text, collect_errors=True, resolve_references=False)
        except (OSError, UnicodeDecodeError) as exc:
            out.broken.append(Broken(str(path), path.name, f"cannot read: {exc}"))
            continue
        except (SigmaError, ValueError, TypeError, yaml.YAMLError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            out.broken.append(Broken(str(path), path.name, f"not a Sigma document: {reason}"))
            continue
        for item in coll.rules:
            key = _key(item, path)
            if key in parsed:
                out.replaced.append((key, str(parsed[key][0]), str(path)))
                del parsed[key]  # keep file order: the replacement sits where it was read
            parsed[key] = (path, text, item)
    whole = SigmaCollection([item for _, _, item in parsed.values()], resolve_references=False)
    silent: set[str] = set()
    for path, text, item in parsed.values():
        if isinstance(item, SigmaCorrelationRule) and _resolved(path, item, whole, out):
            corr = _correlation(path, text, item, out)
            if corr is not None:
                out.correlations.append(corr)
                if not item.generate:
                    silent |= set(corr.rules)
    for path, text, item in parsed.values():
        if isinstance(item, SigmaRule):
            rule = _rule(path, text, item, out)
            if rule is not None:
                out.rules.append(rule)
    digests = {r.key: r.digest for r in out.rules}
    for corr in list(out.correlations):
        missing = [k for k in corr.rules if k not in digests]
        out.correlations.remove(corr)
        if missing:
            out.broken.append(
                Broken(corr.origin, corr.title, f"refers to rules not loaded: {', '.join(missing)}")
            )
            continue
        # A correlation re-reads its events when a rule it counts changes, not only itself.
        mixed = "\0".join([corr.digest, *(digests[k] for k in corr.rules)])
        digest = hashlib.sha256(mixed.encode()).hexdigest()[:16]
        out.correlations.append(replace(corr, digest=digest))
    out.rules = [replace(r, generate=False) if r.key in silent else r for r in out.rules]
    return out


def _resolved(path: Path, item: SigmaCorrelationRule, whole: SigmaCollection, out: RuleSet) -> bool:
    """Resolve a correlation's rule references in the whole set; record it when one is missing."""
    try:
        item.resolve_rule_references(whole)
    except SigmaError as exc:
        out.broken.append(Broken(str(path), item.title or path.name, f"cannot resolve: {exc}"))
        return False
    return True


def _windows_pipeline() -> Any:
    """Return pySigma's ECS pipeline for Windows rules (SigmaHQ field names to ECS).

    It maps EventID to event.code, TargetUserName to winlog.event_data.TargetUserName and so on,
    and adds the channel condition, which is how the windows mapping stores the events.
    """
    from sigma.pipelines.elasticsearch.windows import ecs_windows

    return ecs_windows()


def _key(item: Any, path: Path) -> str:
    """Return a rule's stable key: name, id, or file and title."""
    if getattr(item, "name", None):
        return str(item.name)
    if getattr(item, "id", None):
        return str(item.id)
    return f"{path.stem}:{item.title}"


def _extra(item: Any) -> dict[str, Any]:
    """Return the rule's ``dataward:`` block (empty when absent)."""
    block = (getattr(item, "custom_attributes", None) or {}).get("dataward") or {}
    return block if isinstance(block, dict) else {}


def _dedup(value: Any) -> tuple[str, ...]:
    """Return the dedup fields: one field name, or a list of them."""
    if isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, (list, tuple))
        or not value
        or not all(isinstance(f, str) and f.strip() for f in value)
    ):
        raise ValueError("dataward.dedup must be a field name or a list of field names")
    return tuple(f.strip() for f in value)


def _level(item: Any) -> str:
    """Return the rule's level as text (medium when unset)."""
    level = getattr(item, "level", None)
    return str(level.name).lower() if level is not None else "medium"


def _rule(path: Path, text: str, item: SigmaRule, out: RuleSet) -> Rule | None:
    """Return the compiled rule, or record why it cannot be evaluated."""
    title = item.title or path.name
    if item.errors:
        out.broken.append(Broken(str(path), title, "; ".join(str(e) for e in item.errors)))
        return None
    extra = _extra(item)
    try:
        if item.logsource.product == "windows":
            _windows_pipeline().apply(item)
        predicate = compile_rule(item)
        fields = frozenset(fields_of(item))
        dedup = _dedup(extra.get("dedup", DEFAULT_DEDUP))
        hours = int(extra.get("dedup_hours", 24))
    except (NotEvaluableError, SigmaError, TypeError, ValueError) as exc:
        out.broken.append(Broken(str(path), title, str(exc)))
        return None
    src = item.logsource
    return Rule(
        key=_key(item, path),
        title=title,
        level=_level(item),
        origin=str(path),
        category=src.category,
        product=src.product,
        service=src.service,
        predicate=predicate,
        fields=fields,
        dedup=dedup,
        dedup_hours=max(hours, 1),
        summary=str(extra.get("summary", "")),
        digest=_digest(text, item),
        description=item.description or "",
        tags=tuple(str(t) for t in item.tags),
    )


SUPPORTED = {
    SigmaCorrelationType.EVENT_COUNT: "event_count",
    SigmaCorrelationType.VALUE_COUNT: "value_count",
    SigmaCorrelationType.TEMPORAL: "temporal",
    SigmaCorrelationType.TEMPORAL_ORDERED: "temporal_ordered",
}


def _correlation(
    path: Path, text: str, item: SigmaCorrelationRule, out: RuleSet
) -> Correlation | None:
    """Return the correlation, or record why it cannot be evaluated."""
    title = item.title or path.name
    kind = SUPPORTED.get(item.type)
    if item.errors:
        out.broken.append(Broken(str(path), title, "; ".join(str(e) for e in item.errors)))
        return None
    if kind is None:
        out.broken.append(
            Broken(
                str(path),
                title,
                f"correlation type {item.type.name.lower()} "
                "is not evaluated in-process (export it to a SIEM)",
            )
        )
        return None
    cond = item.condition
    if not isinstance(cond, SigmaCorrelationCondition):
        out.broken.append(
            Broken(
                str(path),
                title,
                "combined correlation conditions are not "
                "evaluated in-process (export it to a SIEM)",
            )
        )
        return None
    op = cond.op.name.lower() if cond.op is not None else "gte"
    if op in ("lt", "lte", "neq") and kind != "temporal":
        out.broken.append(
            Broken(
                str(path),
                title,
                f"condition '{op}' counts absences, which the "
                "in-process evaluator cannot see; use gte/gt/eq",
            )
        )
        return None
    refs = tuple(_key(ref.rule, path) for ref in item.rules or () if hasattr(ref, "rule"))
    if not refs or len(refs) != len(item.rules or ()):
        out.broken.append(Broken(str(path), title, "refers to a rule that is not loaded"))
        return None
    value_field = cond.fieldref if isinstance(cond.fieldref, str) else None
    extra = _extra(item)
    return Correlation(
        key=_key(item, path),
        title=title,
        level=_level(item),
        origin=str(path),
        kind=kind,
        rules=refs,
        group_by=tuple(item.group_by or ()),
        seconds=int(item.timespan.seconds),
        op=op,
        count=int(cond.count) if cond.count is not None else len(refs),
        value_field=value_field,
        summary=str(extra.get("summary", "")),
        digest=_digest(text, item),
        description=item.description or "",
    )


def _digest(text: str, item: Any) -> str:
    """Return a short fingerprint of the rule's definition (its file text and key)."""
    return hashlib.sha256(f"{text}\0{item.title}".encode()).hexdigest()[:16]
