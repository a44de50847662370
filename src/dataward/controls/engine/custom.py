"""A client's own control set (or an extra framework) mapped onto the baseline controls.

It is read from YAML, CSV or XLSX.

YAML::

    framework: {id: ACME_SUPPLIER, title: Acme supplier security standard}
    requirements:
      - {id: "S-1.1", title: Staff vetted before access, controls: [AC-03, TR-01]}

CSV / XLSX: one row per requirement with columns id, title, controls (baseline control ids
separated by ';' or ','). Every row is checked before anything is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dataward.core.engine.tabular import quoted, read_rows
from dataward.errors import ImportFileError

FRAMEWORK_ID = re.compile(r"^[A-Z][A-Z0-9_]{1,40}$")
COLUMNS = {
    "id": ("requirement", "requirement id", "ref", "clause", "control id"),
    "title": ("name", "requirement title", "description", "text"),
    "controls": ("maps to", "maps_to", "baseline", "baseline controls", "dataward controls"),
}


@dataclass(frozen=True)
class Requirement:
    """One requirement of a custom framework and the baseline controls that satisfy it."""

    id: str
    title: str
    controls: tuple[str, ...]


@dataclass(frozen=True)
class CustomFramework:
    """A client's own framework, mapped onto the baseline."""

    id: str
    title: str
    requirements: tuple[Requirement, ...]

    def by_control(self) -> dict[str, list[str]]:
        """Return the requirement ids each baseline control satisfies."""
        out: dict[str, list[str]] = {}
        for req in self.requirements:
            for control in req.controls:
                out.setdefault(control, []).append(req.id)
        return out


def _controls(raw: Any, where: str, known: set[str]) -> tuple[str, ...]:
    """Return the control ids of a requirement, each one a baseline control."""
    items = raw if isinstance(raw, list) else re.split(r"[;,\s]+", str(raw or ""))
    ids = tuple(dict.fromkeys(str(i).strip().upper() for i in items if str(i).strip()))
    if not ids:
        raise ImportFileError(
            "field 'controls' is empty", where, "name the baseline controls it maps to"
        )
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ImportFileError(
            f"field 'controls' names unknown control {quoted(unknown[0])}",
            where,
            "see dataward controls list",
        )
    return ids


def parse(
    path: Path,
    known_controls: Iterable[str],
    framework_id: str = "",
    title: str = "",
    mapping: Mapping[str, str] | None = None,
) -> CustomFramework:
    """Read and validate a custom framework file; errors name the row (or entry) and field."""
    known = set(known_controls)
    rows: list[tuple[str, dict[str, Any]]] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ImportFileError("file not found", str(path), "check the path") from None
        except (yaml.YAMLError, UnicodeDecodeError):
            raise ImportFileError("is not valid YAML", str(path), "fix the file") from None
        if not isinstance(doc, dict):
            raise ImportFileError("is not a mapping", str(path), "see docs/controls.md")
        head = doc.get("framework") or {}
        if not isinstance(head, dict):
            raise ImportFileError(
                "key 'framework' is not a mapping", str(path), "write {id: ..., title: ...}"
            )
        if not isinstance(doc.get("requirements") or [], list):
            raise ImportFileError(
                "key 'requirements' is not a list", str(path), "write a YAML list"
            )
        framework_id = framework_id or str(head.get("id") or "")
        title = title or str(head.get("title") or "")
        for n, item in enumerate(doc.get("requirements") or [], start=1):
            if not isinstance(item, dict):
                raise ImportFileError(
                    "is not a mapping", f"{path} requirement {n}", "write id, title, controls"
                )
            rows.append((f"{path} requirement {n}", item))
    else:
        for row in read_rows(path, COLUMNS, ("id", "controls"), mapping or {}):
            rows.append((f"{path} row {row.number}", {k: row.text(k) for k in COLUMNS}))
    if not FRAMEWORK_ID.match(framework_id or ""):
        raise ImportFileError(
            f"framework id {quoted(framework_id)} is not like ACME_SUPPLIER",
            str(path),
            "give --id in capitals, digits and underscores",
        )
    seen: dict[str, str] = {}
    reqs = []
    for where, item in rows:
        ident = str(item.get("id") or "").strip()
        if not ident:
            raise ImportFileError("field 'id' is empty", where, "give every requirement an id")
        if ident in seen:
            raise ImportFileError(
                f"id {quoted(ident)} repeats {seen[ident]}", where, "keep ids unique"
            )
        seen[ident] = where.rsplit(" ", 2)[-2] + " " + where.rsplit(" ", 1)[-1]
        reqs.append(
            Requirement(
                ident,
                str(item.get("title") or "").strip(),
                _controls(item.get("controls"), where, known),
            )
        )
    if not reqs:
        raise ImportFileError("holds no requirements", str(path), "add at least one")
    return CustomFramework(framework_id, title or framework_id, tuple(reqs))
