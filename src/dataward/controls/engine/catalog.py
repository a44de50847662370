"""Load and validate the control catalog: areas, controls, evidence paths, framework mappings.

The catalog ships as YAML package data (``dataward/controls/catalog/``). It is validated when
loaded: a broken file is one error naming the file, the control and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dataward.core.engine.clients import DATA_CATEGORIES, FRAMEWORKS
from dataward.errors import DatawardError

CONTROL_ID = re.compile(r"^(?P<prefix>[A-Z]{2,4})-\d{2,3}$")
AREA_PREFIX = {
    "data_awareness": "DA",
    "access_control": "AC",
    "identity_protection": "IP",
    "device_endpoint": "DE",
    "encryption_transmission": "EN",
    "logging_monitoring": "LM",
    "retention_disposal": "RD",
    "process_discipline": "PD",
    "training": "TR",
    "vendor_client": "VC",
    "incident_readiness": "IR",
    "risk_governance": "RG",
}
#: How each framework's requirement identifiers are written.
ID_FORMATS = {
    "NIST_CSF_2": re.compile(r"^(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}$"),
    "ISO27001_2022": re.compile(r"^A\.[5-8]\.\d{1,2}$"),
    "CIS_V8": re.compile(r"^\d{1,2}\.\d{1,2}$"),
    "PCI_DSS_4": re.compile(r"^\d{1,2}(\.\d{1,2}){0,3}$"),
    "HIPAA": re.compile(r"^164\.\d{3}(\([a-zA-Z0-9]+\))*$"),
    "GDPR": re.compile(r"^Art\. \d{1,2}(\(\d{1,2}\))?(\([a-z]\))?$"),
    "SOC2": re.compile(r"^(CC\d\.\d|A1\.\d|C1\.\d|PI1\.\d|P\d\.\d)$"),
}


class CatalogError(DatawardError):
    """Report a catalog file that breaks the schema, naming the file, control and field."""


@dataclass(frozen=True)
class Area:
    """A group of controls (data awareness, access control, ...)."""

    id: str
    title: str


@dataclass(frozen=True)
class Control:
    """One expected control: what must be true, why, how it is evidenced, what it maps to."""

    id: str
    area: str
    title: str
    statement: str
    rationale: str
    checks: tuple[str, ...] = ()
    attestation: str = ""
    categories: frozenset[str] = frozenset()  # in scope when the client holds any of these
    frameworks: frozenset[str] = frozenset()  # ... or audits against any of these
    mappings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def always(self) -> bool:
        """Return whether the control applies to every client."""
        return not self.categories and not self.frameworks


@dataclass(frozen=True)
class Framework:
    """A framework clients audit against, with short titles (our own) for its requirements."""

    id: str
    title: str
    requirements: Mapping[str, str]


@dataclass(frozen=True)
class Catalog:
    """The validated catalog."""

    id: str
    title: str
    version: str
    areas: tuple[Area, ...]
    controls: tuple[Control, ...]
    frameworks: Mapping[str, Framework]

    def control(self, ident: str) -> Control:
        """Return one control by id, or a one-line error."""
        for c in self.controls:
            if c.id == ident.upper():
                return c
        raise DatawardError(f"no control {ident!r}", "controls", "see dataward controls list")

    def by_check(self) -> dict[str, list[Control]]:
        """Return the controls each check evidences."""
        out: dict[str, list[Control]] = {}
        for c in self.controls:
            for check_id in c.checks:
                out.setdefault(check_id, []).append(c)
        return out

    def check_ids(self) -> set[str]:
        """Return every check id the catalog names."""
        return {check_id for c in self.controls for check_id in c.checks}


class _Reader:
    """Validate parsed YAML with errors naming the file and the key path."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, what: str, hint: str = "fix the catalog file") -> CatalogError:
        return CatalogError(f"{key}: {what}", self.where, hint)

    def mapping(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "is not a mapping")
        return {str(k): v for k, v in value.items()}

    def text(self, body: dict[str, Any], name: str, key: str, limit: int = 0) -> str:
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key}.{name}", "is missing or empty")
        if limit and len(value) > limit:
            raise self.fail(f"{key}.{name}", f"is longer than {limit} characters")
        return " ".join(value.split())

    def names(self, value: Any, key: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "is not a list of names")
        return tuple(value)


def _control(
    r: _Reader, raw: Any, n: int, areas: set[str], frameworks: dict[str, Framework]
) -> Control:
    """Validate one control entry."""
    body = r.mapping(raw, f"controls[{n}]")
    ident = str(body.get("id", ""))
    key = f"control {ident or n}"
    match = CONTROL_ID.match(ident)
    if not match:
        raise r.fail(f"{key}.id", "is not like DA-01")
    area = str(body.get("area", ""))
    if area not in areas:
        raise r.fail(f"{key}.area", f"{area!r} is not a declared area")
    if AREA_PREFIX.get(area, match["prefix"]) != match["prefix"]:
        raise r.fail(f"{key}.id", f"should start with {AREA_PREFIX[area]} for area {area}")
    evidence = r.mapping(body.get("evidence") or {}, f"{key}.evidence")
    checks = r.names(evidence.get("checks"), f"{key}.evidence.checks")
    attestation = " ".join(str(evidence.get("attestation") or "").split())
    if not checks and not attestation:
        raise r.fail(
            f"{key}.evidence", "names no check and no attestation", "say how it is evidenced"
        )
    applies = r.mapping(body.get("applies") or {}, f"{key}.applies")
    cats = r.names(applies.get("categories"), f"{key}.applies.categories")
    fws = r.names(applies.get("frameworks"), f"{key}.applies.frameworks")
    for value, allowed, name in (
        (cats, DATA_CATEGORIES, "categories"),
        (fws, FRAMEWORKS, "frameworks"),
    ):
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise r.fail(
                f"{key}.applies.{name}", f"unknown {unknown[0]!r}", f"use {', '.join(allowed)}"
            )
    mappings: dict[str, tuple[str, ...]] = {}
    for fw, ids in r.mapping(body.get("mappings") or {}, f"{key}.mappings").items():
        if fw not in ID_FORMATS:
            raise r.fail(
                f"{key}.mappings.{fw}", "is not a known framework", f"use {', '.join(ID_FORMATS)}"
            )
        names = tuple(str(i) for i in (ids or []))
        for req in names:
            if not ID_FORMATS[fw].match(req):
                raise r.fail(f"{key}.mappings.{fw}", f"{req!r} is not a well-formed {fw} id")
            if req not in frameworks[fw].requirements:
                raise r.fail(f"{key}.mappings.{fw}", f"{req!r} has no title in frameworks.yaml")
        mappings[fw] = names
    if not mappings:
        raise r.fail(f"{key}.mappings", "is empty", "map the control to at least one framework")
    return Control(
        id=ident,
        area=area,
        title=r.text(body, "title", key, 80),
        statement=r.text(body, "statement", key),
        rationale=r.text(body, "rationale", key),
        checks=checks,
        attestation=attestation,
        categories=frozenset(cats),
        frameworks=frozenset(fws),
        mappings=mappings,
    )


def _frameworks(data: Any, where: str) -> dict[str, Framework]:
    """Validate frameworks.yaml."""
    r = _Reader(where)
    top = r.mapping(r.mapping(data, "document").get("frameworks"), "frameworks")
    out: dict[str, Framework] = {}
    for fw, raw in top.items():
        if fw not in ID_FORMATS:
            raise r.fail(
                f"frameworks.{fw}", "is not a known framework", f"use {', '.join(ID_FORMATS)}"
            )
        body = r.mapping(raw, f"frameworks.{fw}")
        reqs = {
            str(k): str(v)
            for k, v in r.mapping(
                body.get("requirements") or {}, f"frameworks.{fw}.requirements"
            ).items()
        }
        for req in reqs:
            if not ID_FORMATS[fw].match(req):
                raise r.fail(
                    f"frameworks.{fw}.requirements", f"{req!r} is not a well-formed {fw} id"
                )
        out[fw] = Framework(fw, r.text(body, "title", f"frameworks.{fw}"), reqs)
    for fw in ID_FORMATS:
        out.setdefault(fw, Framework(fw, fw, {}))
    return out


def _read(path: Path | None, name: str) -> tuple[Any, str]:
    """Return the parsed YAML of a catalog file (the shipped one unless a path is given)."""
    if path is None:
        text = resources.files("dataward.controls.catalog").joinpath(name).read_text("utf-8")
        where = f"dataward/controls/catalog/{name}"
    else:
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(f"cannot read ({exc})", where, "check the path") from None
    try:
        return yaml.safe_load(text), where
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CatalogError(
            "is not valid YAML",
            f"{where} line {mark.line + 1}" if mark else where,
            "fix the indentation or quoting",
        ) from None


def load_catalog(
    baseline: Path | None = None,
    frameworks: Path | None = None,
    known_checks: Iterable[str] | None = None,
) -> Catalog:
    """Load and validate the catalog; with ``known_checks``, every named check must exist."""
    fw_data, fw_where = _read(frameworks, "frameworks.yaml")
    fws = _frameworks(fw_data, fw_where)
    data, where = _read(baseline, "baseline.yaml")
    r = _Reader(where)
    top = r.mapping(data, "document")
    meta = r.mapping(top.get("catalog"), "catalog")
    areas = tuple(
        Area(str(a.get("id")), r.text(a, "title", f"areas[{n}]"))
        for n, a in enumerate((r.mapping(x, "areas") for x in top.get("areas") or []), start=1)
    )
    area_ids = {a.id for a in areas}
    controls = tuple(
        _control(r, raw, n, area_ids, fws)
        for n, raw in enumerate(top.get("controls") or [], start=1)
    )
    seen: set[str] = set()
    for c in controls:
        if c.id in seen:
            raise r.fail(f"control {c.id}.id", "is used twice", "give each control its own id")
        seen.add(c.id)
    if known_checks is not None:
        known = set(known_checks)
        for c in controls:
            for check_id in c.checks:
                if check_id not in known:
                    raise r.fail(
                        f"control {c.id}.evidence.checks",
                        f"no check {check_id!r} is registered",
                        "name a registered check or use an attestation",
                    )
    return Catalog(
        id=r.text(meta, "id", "catalog"),
        title=r.text(meta, "title", "catalog"),
        version=str(meta.get("version", "")),
        areas=areas,
        controls=controls,
        frameworks=fws,
    )
