"""Render the control catalog and one assessment as OSCAL JSON (catalog, assessment-results).

Both documents are plain dicts ready for ``json.dumps``. They are deterministic: every uuid is a
version-5 uuid derived from what the document describes (catalog id and version, client and
assessment id), and the only timestamp not taken from the input is ``generated``, so the same
input gives byte-identical JSON.

Layout of the catalog: one group per area (``access-control``), one control per catalog control
(``ac-02``) with a ``statement``, a ``guidance`` part (the rationale), an ``assessment-objective``
part (``ac-02_obj``) that findings point at, and, when the control asks for one, an
``attestation`` part. Evidence checks and framework mappings are properties in the dataward
namespace (``check-id``; ``mapping`` with the framework id as class, ``PCI_DSS_4:7.2.1`` as
value).

The assessment results hold one result: one observation per check result (its summary, never its
evidence rows, which are only counted) and one finding per control those results evidence:
``satisfied`` when every result is pass, not-applicable or excepted, else ``not-satisfied``.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from dataward.controls.engine.catalog import Catalog, Control
from dataward.reports.engine.snapshot import AssessmentSnapshot, ResultRow

OSCAL_VERSION = "1.2.1"  # the schema compliance-trestle 5.2 validates against
NS = "https://dataward.dev/ns/oscal"
#: Statuses that leave a control's objective satisfied (an approved exception is a known gap
#: with a dated waiver; the finding says so in its reason and description).
SATISFIED = ("pass", "not_applicable", "excepted")
TOKEN = re.compile(r"^[_A-Za-z][_A-Za-z0-9.\-]*$")
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, NS)

Json = dict[str, Any]


def _uuid(*parts: object) -> str:
    """Return a version-5 uuid naming what the parts describe (stable across runs)."""
    return str(uuid.uuid5(_ROOT, "\x1f".join(str(p) for p in parts)))


def _when(moment: datetime) -> str:
    """Return an aware datetime as ISO 8601 in UTC; OSCAL timestamps need a timezone."""
    if moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no timezone; OSCAL timestamps need one")
    return moment.astimezone(UTC).isoformat()


def _line(text: str, fallback: str) -> str:
    """Return the text on one line without outer spaces (OSCAL titles and property values)."""
    return " ".join(text.split()) or fallback


def _prop(name: str, value: object, cls: str = "", remarks: str = "", ns: bool = True) -> Json:
    """Return one property; custom names live in the dataward namespace."""
    prop: Json = {"name": name}
    if ns:
        prop["ns"] = NS
    prop["value"] = _line(str(value), "none")
    if cls:
        prop["class"] = cls
    if remarks:
        prop["remarks"] = remarks
    return prop


def control_id(ident: str) -> str:
    """Return the OSCAL id of a catalog control id (``AC-02`` -> ``ac-02``)."""
    token = ident.strip().lower()
    if not TOKEN.match(token):
        raise ValueError(f"control id {ident!r} is not a valid OSCAL token")
    return token


def group_id(area: str) -> str:
    """Return the OSCAL id of a catalog area (``access_control`` -> ``access-control``)."""
    token = area.strip().replace("_", "-")
    if not TOKEN.match(token):
        raise ValueError(f"area id {area!r} is not a valid OSCAL token")
    return token


def objective_id(ident: str) -> str:
    """Return the id of a control's assessment-objective part, the target of its finding."""
    return f"{control_id(ident)}_obj"


def catalog_uuid(catalog: Catalog) -> str:
    """Return the catalog document's uuid, fixed by the catalog id and version."""
    return _uuid("catalog", catalog.id, catalog.version)


def _metadata(title: str, generated: datetime, version: str, props: list[Json]) -> Json:
    meta: Json = {
        "title": _line(title, "untitled"),
        "last-modified": _when(generated),
        "version": _line(version, "0"),
        "oscal-version": OSCAL_VERSION,
    }
    if props:
        meta["props"] = props
    return meta


def _evidence_phrase(control: Control) -> str:
    """Return how a control is evidenced, in words, for its objective."""
    parts = []
    if control.checks:
        noun = "check" if len(control.checks) == 1 else "checks"
        parts.append(f"the {noun} {', '.join(control.checks)} pass")
    if control.attestation:
        parts.append("a current attestation is on file")
    return " and ".join(parts) or "it is reviewed"


def _catalog_control(catalog: Catalog, control: Control) -> Json:
    cid = control_id(control.id)
    props = [_prop("label", control.id, ns=False)]
    props += [_prop("check-id", check) for check in control.checks]
    props += [_prop("applies-to-category", cat) for cat in sorted(control.categories)]
    props += [_prop("applies-to-framework", fw) for fw in sorted(control.frameworks)]
    for fw, reqs in control.mappings.items():
        framework = catalog.frameworks.get(fw)
        for req in reqs:
            title = framework.requirements.get(req, "") if framework else ""
            remarks = f"{framework.title}: {title}" if framework and title else ""
            props.append(_prop("mapping", f"{fw}:{req}", cls=fw, remarks=remarks))
    parts: list[Json] = [
        {"id": f"{cid}_smt", "name": "statement", "prose": control.statement},
        {"id": f"{cid}_gdn", "name": "guidance", "prose": control.rationale},
        {
            "id": objective_id(control.id),
            "name": "assessment-objective",
            "prose": f"{control.id} is in place when {_evidence_phrase(control)}.",
        },
    ]
    if control.attestation:
        parts.append(
            {"id": f"{cid}_att", "name": "attestation", "ns": NS, "prose": control.attestation}
        )
    return {"id": cid, "title": _line(control.title, control.id), "props": props, "parts": parts}


def catalog_document(catalog: Catalog, generated: datetime) -> dict[str, Any]:
    """Return the catalog as an OSCAL catalog document ``{"catalog": {...}}``."""
    groups: list[Json] = []
    for area in catalog.areas:
        group: Json = {"id": group_id(area.id), "title": _line(area.title, area.id)}
        controls = [_catalog_control(catalog, c) for c in catalog.controls if c.area == area.id]
        if controls:
            group["controls"] = controls
        groups.append(group)
    body: Json = {
        "uuid": catalog_uuid(catalog),
        "metadata": _metadata(
            catalog.title, generated, catalog.version, [_prop("catalog-id", catalog.id)]
        ),
    }
    if groups:
        body["groups"] = groups
    return {"catalog": body}


def _observation(snap: AssessmentSnapshot, row: ResultRow, uid: str) -> Json:
    props = [
        _prop("check-id", row.check_id),
        _prop("status", row.status),
        _prop("severity", row.severity),
        _prop("subject", row.subject),
        _prop("evidence-count", len(row.evidence)),
    ]
    props += [_prop("control-id", control_id(c)) for c in row.controls if c.strip()]
    return {
        "uuid": uid,
        "title": _line(f"{row.title} ({_line(row.subject, 'no subject')})", row.check_id),
        "description": _line(row.summary, f"{row.check_id}: {row.status}"),
        "props": props,
        "methods": ["TEST"],
        "collected": _when(snap.started_at),
    }


def _by_control(
    catalog: Catalog, snap: AssessmentSnapshot, obs_ids: list[str]
) -> dict[str, list[tuple[ResultRow, str]]]:
    """Return each evidenced control's results with their observation uuids.

    Controls come in catalog order, then any the catalog no longer has, sorted.
    """
    found: dict[str, list[tuple[ResultRow, str]]] = {}
    for row, uid in zip(snap.results, obs_ids, strict=True):
        for cid in dict.fromkeys(control_id(c) for c in row.controls if c.strip()):
            found.setdefault(cid, []).append((row, uid))
    known = [control_id(c.id) for c in catalog.controls]
    order = [c for c in known if c in found] + sorted(set(found) - set(known))
    return {cid: found[cid] for cid in order}


def _finding(
    snap: AssessmentSnapshot, cid: str, title: str, rows: list[tuple[ResultRow, str]]
) -> Json:
    statuses = [row.status for row, _ in rows]
    ok = all(s in SATISFIED for s in statuses)
    if not ok:
        reason = "fail"
    elif "excepted" in statuses or "pass" not in statuses:
        reason = "other"  # satisfied through an exception, or nothing applied
    else:
        reason = "pass"
    counts = {s: statuses.count(s) for s in dict.fromkeys(sorted(statuses))}
    tally = ", ".join(f"{k} {v}" for k, v in counts.items())
    return {
        "uuid": _uuid("finding", snap.client_slug, snap.assessment_id, cid),
        "title": _line(title, cid),
        "description": f"{len(rows)} check result(s) evidence {cid.upper()}: {tally}.",
        "props": [_prop("control-id", cid)],
        "target": {
            "type": "objective-id",
            "target-id": f"{cid}_obj",
            "status": {"state": "satisfied" if ok else "not-satisfied", "reason": reason},
        },
        "related-observations": [{"observation-uuid": uid} for _, uid in rows],
    }


def _posture_props(posture: dict[str, Any]) -> list[Json]:
    def score(value: Any) -> str:
        return "not-scored" if value is None else str(value)

    props = [_prop("posture-overall", score(posture.get("overall")))]
    areas = posture.get("areas") or {}
    props += [
        _prop("posture-area", score(areas[area]), cls=group_id(area)) for area in sorted(areas)
    ]
    props += [
        _prop(f"posture-{key.replace('_', '-')}", posture[key])
        for key in ("scored", "in_scope")
        if isinstance(posture.get(key), int)
    ]
    return props


def assessment_results_document(
    catalog: Catalog, snap: AssessmentSnapshot, generated: datetime
) -> dict[str, Any]:
    """Return one assessment as an OSCAL assessment-results document."""
    slug, run = snap.client_slug, snap.assessment_id
    client = _line(snap.client_name, slug)
    obs_ids = [
        _uuid("observation", slug, run, n, row.check_id, row.subject)
        for n, row in enumerate(snap.results)
    ]
    observations = [
        _observation(snap, row, uid) for row, uid in zip(snap.results, obs_ids, strict=True)
    ]
    evidenced = _by_control(catalog, snap, obs_ids)
    titles = {control_id(c.id): f"{c.id} {c.title}" for c in catalog.controls}
    findings = [
        _finding(snap, cid, titles.get(cid, cid.upper()), rows) for cid, rows in evidenced.items()
    ]
    if evidenced:
        selection: Json = {"include-controls": [{"control-id": c} for c in evidenced]}
    else:
        selection = {
            "description": "No result evidenced a control; the plan covered the whole catalog.",
            "include-all": {},
        }
    result: Json = {
        "uuid": _uuid("result", slug, run),
        "title": _line(f"Assessment {run} of {client}", f"Assessment {run}"),
        "description": (
            f"Automated dataward checks for {client} ({slug}), assessment {run}: "
            f"{len(snap.results)} result(s) evidencing {len(evidenced)} control(s)."
        ),
        "start": _when(snap.started_at),
    }
    if snap.finished_at is not None:
        result["end"] = _when(snap.finished_at)
    result["props"] = _posture_props(snap.posture)
    result["reviewed-controls"] = {"control-selections": [selection]}
    if observations:
        result["observations"] = observations
    if findings:
        result["findings"] = findings
    plan = _uuid("assessment-plan", slug, run)
    meta_props = [_prop("client", slug), _prop("catalog-uuid", catalog_uuid(catalog))]
    if snap.actor.strip():
        meta_props.append(_prop("assessed-by", snap.actor))
    body: Json = {
        "uuid": _uuid("assessment-results", slug, run),
        "metadata": _metadata(
            f"dataward assessment results: {client}, assessment {run}",
            generated,
            f"{catalog.version or '0'}+assessment.{run}",
            meta_props,
        ),
        "import-ap": {
            "href": f"#{plan}",
            "remarks": "dataward keeps no separate plan document; see the back-matter resource.",
        },
        "results": [result],
        "back-matter": {
            "resources": [
                {
                    "uuid": plan,
                    "title": "Implicit assessment plan",
                    "description": (
                        f"Every registered dataward check in scope for {client} was run, "
                        f"against the catalog {catalog.id} version {catalog.version or '0'}."
                    ),
                }
            ]
        },
    }
    return {"assessment-results": body}
