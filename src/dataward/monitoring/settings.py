"""Read the workspace's monitoring settings (``monitoring.yaml`` in the workspace folder).

    internal_domains: [meridiancs.com, northbankretail.com]   # e-mail to these is internal
    triage_sla_hours: {critical: 4, high: 24, medium: 72, low: 168, informational: 336}
    lookback_days: 30          # alerts the detection checks judge (by last seen)
    rules: [rules/]            # extra Sigma rule folders, relative to the workspace

Every key is optional; a missing file means the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dataward.errors import DatawardError

FILE = "monitoring.yaml"
SLA_HOURS = {"critical": 4, "high": 24, "medium": 72, "low": 168, "informational": 336}
KEYS = {"internal_domains", "triage_sla_hours", "lookback_days", "rules"}


@dataclass(frozen=True)
class Settings:
    """The monitoring settings in force."""

    internal_domains: frozenset[str] = frozenset()
    sla_hours: dict[str, int] = field(default_factory=lambda: dict(SLA_HOURS))
    lookback_days: int = 30
    rule_folders: tuple[Path, ...] = ()


def load(root: Path) -> Settings:
    """Return the settings of the workspace at root (defaults when there is no file)."""
    path = root / FILE
    if not path.is_file():
        return Settings(rule_folders=_default_rules(root))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DatawardError(
            f"cannot read: {exc}".splitlines()[0], str(path), "fix the YAML"
        ) from None
    if not isinstance(data, dict):
        raise DatawardError("must be a mapping of settings", str(path), "see docs/monitoring.md")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise DatawardError(
            f"unknown setting {unknown[0]!r}", str(path), f"use one of {', '.join(sorted(KEYS))}"
        )
    return Settings(
        internal_domains=frozenset(
            str(d).strip().lower() for d in _list(data, "internal_domains", path)
        ),
        sla_hours=_sla(data.get("triage_sla_hours") or {}, path),
        lookback_days=_positive(data.get("lookback_days", 30), "lookback_days", path),
        rule_folders=tuple(root / str(p) for p in _list(data, "rules", path))
        or _default_rules(root),
    )


def _default_rules(root: Path) -> tuple[Path, ...]:
    """Return the workspace's rules/ folder when it exists."""
    folder = root / "rules"
    return (folder,) if folder.is_dir() else ()


def _list(data: dict[str, Any], key: str, path: Path) -> list[Any]:
    """Return a list setting, or a one-line error."""
    value = data.get(key) or []
    if not isinstance(value, list):
        raise DatawardError(f"setting {key!r} must be a list", str(path), "write it as [a, b]")
    return value


def _positive(value: Any, key: str, path: Path) -> int:
    """Return a positive whole number, or a one-line error."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise DatawardError(f"setting {key!r} must be a whole number above 0", str(path), "fix it")
    return value


def _sla(value: Any, path: Path) -> dict[str, int]:
    """Return the triage SLA per alert level, defaults filled in."""
    if not isinstance(value, dict):
        raise DatawardError(
            "setting 'triage_sla_hours' must map levels to hours", str(path), "fix it"
        )
    out = dict(SLA_HOURS)
    for level, hours in value.items():
        if level not in SLA_HOURS:
            raise DatawardError(
                f"unknown level {level!r} in triage_sla_hours",
                str(path),
                f"use {', '.join(SLA_HOURS)}",
            )
        out[level] = _positive(hours, f"triage_sla_hours.{level}", path)
    return out
