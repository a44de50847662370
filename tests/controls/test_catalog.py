"""The control catalog: the shipped one is complete and consistent; broken ones fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dataward.controls.engine.catalog import ID_FORMATS, CatalogError, load_catalog
from dataward.controls.engine.checklist import ClientScope, build

FRAMEWORKS = {
    "frameworks": {
        "NIST_CSF_2": {"title": "NIST CSF 2.0", "requirements": {"PR.AA-05": "Access limited"}},
        "ISO27001_2022": {"title": "ISO 27001", "requirements": {"A.5.15": "Access rules"}},
        "PCI_DSS_4": {"title": "PCI DSS", "requirements": {"7.2.1": "Access model"}},
    }
}


def _control(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "AC-01",
        "area": "access_control",
        "title": "Access follows the role matrix",
        "statement": "Access is granted by role.",
        "rationale": "Least privilege.",
        "evidence": {"checks": ["access_within_role"]},
        "mappings": {"NIST_CSF_2": ["PR.AA-05"], "ISO27001_2022": ["A.5.15"]},
    }
    return {**base, **kw}


def _write(tmp_path: Path, *controls: dict[str, object]) -> tuple[Path, Path]:
    base = tmp_path / "baseline.yaml"
    doc = {
        "catalog": {"id": "t", "title": "Test", "version": "1"},
        "areas": [
            {"id": "access_control", "title": "Access control"},
            {"id": "data_awareness", "title": "Data awareness"},
        ],
        "controls": list(controls),
    }
    base.write_text(yaml.safe_dump(doc))
    fws = tmp_path / "frameworks.yaml"
    fws.write_text(yaml.safe_dump(FRAMEWORKS))
    return base, fws


def _error(
    tmp_path: Path, *controls: dict[str, object], known: tuple[str, ...] | None = None
) -> str:
    base, fws = _write(tmp_path, *controls)
    with pytest.raises(CatalogError) as caught:
        load_catalog(base, fws, known)
    return str(caught.value)


def test_a_valid_catalog_loads(tmp_path: Path) -> None:
    base, fws = _write(
        tmp_path,
        _control(),
        _control(
            id="DA-01",
            area="data_awareness",
            title="Card data stays in the PCI zone",
            evidence={"checks": ["discovery_card_data_in_pci_zone"], "attestation": "Zone diagram"},
            applies={"categories": ["PCI"], "frameworks": ["PCI_DSS_4"]},
            mappings={"PCI_DSS_4": ["7.2.1"]},
        ),
    )
    cat = load_catalog(
        base, fws, known_checks={"access_within_role", "discovery_card_data_in_pci_zone"}
    )
    assert [c.id for c in cat.controls] == ["AC-01", "DA-01"]
    assert cat.control("da-01").attestation == "Zone diagram"
    assert cat.by_check()["access_within_role"][0].id == "AC-01"
    assert cat.frameworks["PCI_DSS_4"].requirements["7.2.1"] == "Access model"


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"id": "X1"}, "control X1.id: is not like DA-01"),
        ({"id": "DA-07"}, "control DA-07.id: should start with AC for area access_control"),
        ({"area": "nowhere"}, "'nowhere' is not a declared area"),
        ({"evidence": {}}, "control AC-01.evidence: names no check and no attestation"),
        ({"mappings": {"NIST_CSF_2": ["PR.AA-5"]}}, "'PR.AA-5' is not a well-formed NIST_CSF_2 id"),
        (
            {"mappings": {"ISO27001_2022": ["A.9.2"]}},
            "'A.9.2' is not a well-formed ISO27001_2022 id",
        ),
        ({"mappings": {"ISO27001_2022": ["A.5.16"]}}, "'A.5.16' has no title in frameworks.yaml"),
        ({"mappings": {"COBIT": ["X"]}}, "mappings.COBIT: is not a known framework"),
        ({"mappings": {}}, "control AC-01.mappings: is empty"),
        ({"applies": {"categories": ["CARDS"]}}, "applies.categories: unknown 'CARDS'"),
        ({"title": "x" * 81}, "control AC-01.title: is longer than 80 characters"),
        ({"statement": ""}, "control AC-01.statement: is missing or empty"),
    ],
)
def test_broken_controls_name_the_control_and_field(
    tmp_path: Path, change: dict, needle: str
) -> None:
    message = _error(tmp_path, _control(**change))
    assert "baseline.yaml" in message
    assert needle in message


def test_duplicate_ids_and_unknown_checks(tmp_path: Path) -> None:
    assert "control AC-01.id: is used twice" in _error(tmp_path, _control(), _control())
    message = _error(tmp_path, _control(), known=("discovery_card_data_in_pci_zone",))
    assert "no check 'access_within_role' is registered" in message


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    base, fws = _write(tmp_path, _control())
    base.write_text("catalog:\n  id: [unclosed\n")
    with pytest.raises(CatalogError, match=r"baseline.yaml line \d+"):
        load_catalog(base, fws)


def test_checklist_selects_and_explains(tmp_path: Path) -> None:
    base, fws = _write(
        tmp_path,
        _control(),
        _control(
            id="DA-01",
            area="data_awareness",
            title="Card data in zone",
            applies={"categories": ["PCI"], "frameworks": ["PCI_DSS_4"]},
            mappings={"PCI_DSS_4": ["7.2.1"]},
        ),
    )
    cat = load_catalog(base, fws)
    plain = build(cat, ClientScope(frozenset({"PII"}), frozenset({"SOC2"}), {}))
    assert [(e.control.id, e.reason) for e in plain] == [
        ("AC-01", "baseline: applies to every client")
    ]
    found = build(cat, ClientScope(frozenset({"PII"}), frozenset(), {"PCI": 3}))
    assert found[1].reason == "card data found by discovery in 3 locations"
    declared = build(cat, ClientScope(frozenset({"PCI"}), frozenset({"PCI_DSS_4"}), {}))
    assert declared[1].reason == "the client entrusts PCI data; the client audits against PCI_DSS_4"
    only_pci = build(cat, ClientScope(frozenset({"PCI"}), frozenset(), {}), ["PCI_DSS_4"])
    assert [e.control.id for e in only_pci] == ["DA-01"]


def test_the_shipped_catalog_is_complete_and_consistent() -> None:
    from dataward.controls.store import registry

    checks = registry().checks
    cat = load_catalog(known_checks=checks)  # every check named exists; every id well formed
    assert len(cat.areas) == 12
    assert len(cat.controls) >= 40
    for area in cat.areas:
        assert [c for c in cat.controls if c.area == area.id], area
    for c in cat.controls:
        assert c.checks or c.attestation, c.id
        assert {"NIST_CSF_2", "ISO27001_2022"} <= set(c.mappings), c.id
        for fw, ids in c.mappings.items():
            assert all(ID_FORMATS[fw].match(i) for i in ids)
    used = {(fw, i) for c in cat.controls for fw, ids in c.mappings.items() for i in ids}
    titled = {(fw, i) for fw, f in cat.frameworks.items() for i in f.requirements}
    assert used == titled  # every mapped id has a title, and no title is unused
    assert set(cat.check_ids()) >= {"access_within_role", "discovery_card_data_in_pci_zone"}
