"""OSCAL catalog and assessment-results documents, validated by compliance-trestle's models."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog as OscalCatalog

from dataward.controls.engine.catalog import Catalog, load_catalog
from dataward.reports.engine.oscal import (
    NS,
    OSCAL_VERSION,
    assessment_results_document,
    catalog_document,
)
from dataward.reports.engine.snapshot import AssessmentSnapshot, ResultRow

GENERATED = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)
STARTED = datetime(2026, 11, 28, 22, 15, 5, tzinfo=UTC)
PAN = "4111111111111111"  # an evidence value that must never reach the document


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _row(check_id: str, status: str, controls: tuple[str, ...], **kw: Any) -> ResultRow:
    return ResultRow(
        check_id=check_id,
        title=kw.get("title", check_id.replace("_", " ")),
        severity=kw.get("severity", "high"),
        status=status,
        subject=kw.get("subject", "client:acme"),
        summary=kw.get("summary", f"{check_id} is {status}"),
        controls=controls,
        evidence=kw.get("evidence", ()),
    )


ROWS = (
    _row("access_within_role", "pass", ("AC-01",), summary="Every agent's access fits the role."),
    _row(
        "access_no_sod_conflicts",
        "fail",
        ("AC-04",),
        subject="user:agent-17",
        summary="agent-17 both raises and approves refunds.",
        evidence=({"user": "agent-17", "card": PAN}, {"user": "agent-17", "role": "approver"}),
    ),
    _row("access_reviews_current", "excepted", ("AC-05",), severity="medium", subject="*"),
    _row("access_leavers_have_no_active_accounts", "not_applicable", ("AC-03",)),
    _row("access_movers_lose_old_access", "pass", ("AC-03",)),
    _row("core_client_contract_terms_complete", "warning", ("DA-01", "VC-02"), severity="low"),
)


def _snapshot(rows: tuple[ResultRow, ...] = ROWS, assessment_id: int = 42) -> AssessmentSnapshot:
    return AssessmentSnapshot(
        client_slug="acme",
        client_name="Acme Insurance",
        assessment_id=assessment_id,
        started_at=STARTED,
        finished_at=STARTED + timedelta(minutes=3),
        actor="alice",
        results=rows,
        posture={
            "overall": 61.5,
            "areas": {"access_control": 58.3, "data_awareness": 50.0, "training": None},
            "scored": 5,
            "in_scope": 9,
        },
    )


def _props(item: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [p for p in item.get("props", []) if p["name"] == name]


def _controls(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for g in doc["catalog"]["groups"] for c in g["controls"]}


# ---------------------------------------------------------------------------------- catalog


def test_catalog_document_is_valid_oscal(catalog: Catalog) -> None:
    doc = catalog_document(catalog, GENERATED)
    model = OscalCatalog.model_validate(doc["catalog"])
    # Nothing was dropped or coerced: trestle's own serialization gives back the same JSON.
    assert json.loads(model.oscal_serialize_json()) == doc
    assert model.metadata.title == "dataward BPO data-security baseline"
    assert doc["catalog"]["metadata"]["oscal-version"] == OSCAL_VERSION
    assert doc["catalog"]["metadata"]["version"] == catalog.version == "2026.1"


def test_catalog_groups_and_controls(catalog: Catalog) -> None:
    groups = catalog_document(catalog, GENERATED)["catalog"]["groups"]
    assert len(groups) == 12
    assert [g["id"] for g in groups][:3] == [
        "data-awareness",
        "access-control",
        "identity-protection",
    ]
    assert sum(len(g["controls"]) for g in groups) == len(catalog.controls) == 60
    access = next(g for g in groups if g["id"] == "access-control")
    assert access["title"] == "Access control"
    assert [c["id"] for c in access["controls"]] == [f"ac-0{n}" for n in range(1, 7)]


def test_catalog_control_content(catalog: Catalog) -> None:
    controls = _controls(catalog_document(catalog, GENERATED))
    da03 = controls["da-03"]
    source = catalog.control("DA-03")
    assert da03["title"] == source.title
    assert _props(da03, "label") == [{"name": "label", "value": "DA-03"}]
    assert [p["value"] for p in _props(da03, "check-id")] == ["discovery_card_data_in_pci_zone"]
    pci = [p for p in _props(da03, "mapping") if p["class"] == "PCI_DSS_4"]
    assert [p["value"] for p in pci] == ["PCI_DSS_4:12.5.2", "PCI_DSS_4:12.10.7"]
    assert all(p["ns"] == NS for p in _props(da03, "mapping"))
    mapped = sum(len(ids) for ids in source.mappings.values())
    assert len(_props(da03, "mapping")) == mapped
    parts = {p["name"]: p for p in da03["parts"]}
    assert parts["statement"] == {"id": "da-03_smt", "name": "statement", "prose": source.statement}
    assert parts["guidance"]["prose"] == source.rationale
    assert parts["assessment-objective"]["id"] == "da-03_obj"
    assert "attestation" not in parts  # DA-03 is evidenced by a check only
    attested = {p["name"]: p for p in controls["da-05"]["parts"]}["attestation"]
    assert attested["prose"] == catalog.control("DA-05").attestation
    assert attested["ns"] == NS
    assert not _props(controls["da-05"], "check-id")


# ------------------------------------------------------------------------ assessment results


def test_assessment_results_are_valid_oscal(catalog: Catalog) -> None:
    doc = assessment_results_document(catalog, _snapshot(), GENERATED)
    model = AssessmentResults.model_validate(doc["assessment-results"])
    assert json.loads(model.oscal_serialize_json()) == doc
    assert len(model.results) == 1
    body = doc["assessment-results"]
    plan = body["import-ap"]["href"]
    assert plan == "#" + body["back-matter"]["resources"][0]["uuid"]
    assert _props(body["metadata"], "client")[0]["value"] == "acme"
    catalog_uuid = catalog_document(catalog, GENERATED)["catalog"]["uuid"]
    assert _props(body["metadata"], "catalog-uuid")[0]["value"] == catalog_uuid


def test_observations_one_per_result_without_evidence_values(catalog: Catalog) -> None:
    snap = _snapshot()
    doc = assessment_results_document(catalog, snap, GENERATED)
    result = doc["assessment-results"]["results"][0]
    observations = result["observations"]
    assert len(observations) == len(snap.results) == 6
    failing = observations[1]
    assert failing["description"] == "agent-17 both raises and approves refunds."
    assert failing["methods"] == ["TEST"]
    assert failing["collected"] == "2026-11-28T22:15:05+00:00"
    values = {p["name"]: p["value"] for p in failing["props"]}
    assert values == {
        "check-id": "access_no_sod_conflicts",
        "status": "fail",
        "severity": "high",
        "subject": "user:agent-17",
        "evidence-count": "2",
        "control-id": "ac-04",
    }
    assert PAN not in json.dumps(doc)
    assert len({o["uuid"] for o in observations}) == 6


def test_findings_per_control(catalog: Catalog) -> None:
    result = assessment_results_document(catalog, _snapshot(), GENERATED)["assessment-results"]
    result = result["results"][0]
    findings = {f["target"]["target-id"]: f for f in result["findings"]}
    # catalog order: data awareness, access control, ..., vendor and client
    assert list(findings) == [
        "da-01_obj",
        "ac-01_obj",
        "ac-03_obj",
        "ac-04_obj",
        "ac-05_obj",
        "vc-02_obj",
    ]
    state = {
        k: (f["target"]["status"]["state"], f["target"]["status"]["reason"])
        for k, f in findings.items()
    }
    assert state == {
        "ac-01_obj": ("satisfied", "pass"),
        "ac-03_obj": ("satisfied", "pass"),  # not-applicable + pass
        "ac-04_obj": ("not-satisfied", "fail"),
        "ac-05_obj": ("satisfied", "other"),  # only through an approved exception
        "da-01_obj": ("not-satisfied", "fail"),  # a warning is not satisfied
        "vc-02_obj": ("not-satisfied", "fail"),
    }
    assert all(f["target"]["type"] == "objective-id" for f in findings.values())
    observations = [o["uuid"] for o in result["observations"]]
    related = {
        k: [r["observation-uuid"] for r in f["related-observations"]] for k, f in findings.items()
    }
    assert related["ac-03_obj"] == observations[3:5]
    # one result evidencing two controls: both findings point at the same observation
    assert related["da-01_obj"] == related["vc-02_obj"] == [observations[5]]
    assert findings["ac-04_obj"]["title"] == f"AC-04 {catalog.control('AC-04').title}"
    reviewed = result["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert [c["control-id"] for c in reviewed] == [
        "da-01",
        "ac-01",
        "ac-03",
        "ac-04",
        "ac-05",
        "vc-02",
    ]
    # every finding targets an objective the catalog document defines
    parts = {
        p["id"]
        for c in _controls(catalog_document(catalog, GENERATED)).values()
        for p in c["parts"]
    }
    assert set(findings) <= parts


def test_posture_is_kept_as_result_properties(catalog: Catalog) -> None:
    result = assessment_results_document(catalog, _snapshot(), GENERATED)["assessment-results"]
    props = result["results"][0]["props"]
    assert _props({"props": props}, "posture-overall")[0]["value"] == "61.5"
    areas = {p["class"]: p["value"] for p in _props({"props": props}, "posture-area")}
    assert areas == {"access-control": "58.3", "data-awareness": "50.0", "training": "not-scored"}
    assert _props({"props": props}, "posture-in-scope")[0]["value"] == "9"


def test_documents_are_deterministic(catalog: Catalog) -> None:
    def dump(doc: dict[str, Any]) -> str:
        return json.dumps(doc, sort_keys=True)

    assert dump(catalog_document(catalog, GENERATED)) == dump(
        catalog_document(load_catalog(), GENERATED)
    )
    first = assessment_results_document(catalog, _snapshot(), GENERATED)
    again = assessment_results_document(catalog, _snapshot(), GENERATED)
    assert dump(first) == dump(again)
    other = assessment_results_document(catalog, _snapshot(assessment_id=43), GENERATED)
    assert other["assessment-results"]["uuid"] != first["assessment-results"]["uuid"]
    first_ids = {o["uuid"] for o in first["assessment-results"]["results"][0]["observations"]}
    other_ids = {o["uuid"] for o in other["assessment-results"]["results"][0]["observations"]}
    assert not first_ids & other_ids


def test_timestamps_carry_a_timezone(catalog: Catalog) -> None:
    eastern = timezone(timedelta(hours=-5))
    doc = assessment_results_document(catalog, _snapshot(), GENERATED.astimezone(eastern))
    body = doc["assessment-results"]
    result = body["results"][0]
    stamps = [body["metadata"]["last-modified"], result["start"], result["end"]]
    stamps += [o["collected"] for o in result["observations"]]
    stamps.append(catalog_document(catalog, GENERATED)["catalog"]["metadata"]["last-modified"])
    for stamp in stamps:
        assert datetime.fromisoformat(stamp).utcoffset() == timedelta(0), stamp
    assert body["metadata"]["last-modified"] == "2026-11-29T09:30:00+00:00"
    with pytest.raises(ValueError, match="no timezone"):
        catalog_document(catalog, datetime(2026, 11, 29, 9, 30))


def test_running_assessment_and_no_results(catalog: Catalog) -> None:
    snap = _snapshot(rows=())
    running = AssessmentSnapshot(**{**snap.__dict__, "finished_at": None})
    doc = assessment_results_document(catalog, running, GENERATED)
    AssessmentResults.model_validate(doc["assessment-results"])
    result = doc["assessment-results"]["results"][0]
    assert not {"end", "observations", "findings"} & set(result)
    assert "include-all" in result["reviewed-controls"]["control-selections"][0]


def test_result_row_refuses_unknown_status() -> None:
    with pytest.raises(ValueError, match="status 'ok'"):
        _row("access_within_role", "ok", ("AC-01",))


# ------------------------------------------------------------ the validation really validates


def test_broken_documents_are_rejected(catalog: Catalog) -> None:
    cat = catalog_document(catalog, GENERATED)["catalog"]
    untitled = copy.deepcopy(cat)
    del untitled["metadata"]["title"]
    with pytest.raises(ValidationError, match="metadata.title"):
        OscalCatalog.model_validate(untitled)
    bad_id = copy.deepcopy(cat)
    bad_id["groups"][0]["controls"][0]["id"] = "DA 01"
    with pytest.raises(ValidationError):
        OscalCatalog.model_validate(bad_id)

    ar = assessment_results_document(catalog, _snapshot(), GENERATED)["assessment-results"]
    vague = copy.deepcopy(ar)
    vague["results"][0]["findings"][0]["target"]["status"]["state"] = "mostly"
    with pytest.raises(ValidationError, match="state"):
        AssessmentResults.model_validate(vague)
    naive = copy.deepcopy(ar)
    naive["results"][0]["start"] = "2026-11-28T22:15:05"
    with pytest.raises(ValidationError, match="start"):
        AssessmentResults.model_validate(naive)
    extra = copy.deepcopy(ar)
    extra["results"][0]["observations"][0]["evidence"] = [{"card": PAN}]
    with pytest.raises(ValidationError, match="evidence"):
        AssessmentResults.model_validate(extra)
