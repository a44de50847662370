"""Role matrix: YAML and CSV forms, lookups, the stored round trip and errors naming the key.

Every matrix is written here from Python data; the client and accounts are invented.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml

from dataward.access.engine.matrix import RoleMatrix, from_dict, load_matrix
from dataward.access.engine.types import ImportFileError

FULL: dict[str, Any] = {
    "client": "northbank",
    "review_cadence_days": 30,
    "leaver_sla_hours": 4,
    "dormant_days": 45,
    "groups": ["Northbank-Agents", "northbank-leads"],
    "systems": {
        "Core_CRM": {"application": "Northbank Core CRM", "privileged": ["Admin"]},
        "disputes": {"application": "Card Disputes", "privileged": "*"},
        "wiki": None,
    },
    "roles": {
        "Agent": {"core_crm": ["View", "edit"], "wiki": "read"},
        "it_admin": {"core_crm": ["*"]},
        "disputes_lead": {"disputes": ["resolve"], "core_crm": ["view"]},
    },
    "sod_conflicts": [
        ["disputes:resolve", "Core_CRM:edit"],
        {"a": "core_crm:admin", "b": "disputes:approve", "reason": "self-approval"},
    ],
    "approvers": ["ZJohnson", "svc-provisioning"],
    "service_accounts": [
        {"account": "SVC-Batch", "owner": "E10267", "purpose": "nightly export"},
        {"account": "svc-sync", "owner": "E10300"},
    ],
}


def write_yaml(path: Path, data: Any) -> Path:
    """Write data as YAML and return the path."""
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def failure(path: Path) -> str:
    """Return the ImportFileError message load_matrix raises."""
    with pytest.raises(ImportFileError) as exc:
        load_matrix(path)
    return str(exc.value)


@pytest.fixture
def matrix(tmp_path: Path) -> RoleMatrix:
    """The full example matrix, loaded from YAML."""
    return load_matrix(write_yaml(tmp_path / "northbank.yaml", FULL))


def test_yaml_reads_every_key(matrix: RoleMatrix) -> None:
    assert (matrix.client, matrix.review_cadence_days, matrix.leaver_sla_hours) == (
        "northbank", 30, 4,
    )  # fmt: skip
    assert matrix.dormant_days == 45
    assert matrix.groups == frozenset({"northbank-agents", "northbank-leads"})
    assert matrix.applications == {
        "core_crm": "Northbank Core CRM", "disputes": "Card Disputes", "wiki": "",
    }  # fmt: skip
    assert matrix.privileged == frozenset({("core_crm", "admin"), ("disputes", "*")})
    assert matrix.roles == {
        "agent": frozenset({("core_crm", "view"), ("core_crm", "edit"), ("wiki", "read")}),
        "it_admin": frozenset({("core_crm", "*")}),
        "disputes_lead": frozenset({("disputes", "resolve"), ("core_crm", "view")}),
    }
    assert matrix.conflicts == (
        (("disputes", "resolve"), ("core_crm", "edit"), ""),
        (("core_crm", "admin"), ("disputes", "approve"), "self-approval"),
    )
    assert matrix.approvers == frozenset({"zjohnson", "svc-provisioning"})
    assert matrix.service_accounts == {"svc-batch": "E10267", "svc-sync": "E10300"}
    assert matrix.systems() == {"core_crm", "disputes", "wiki"}


def test_allowed_with_exact_and_star_permissions(matrix: RoleMatrix) -> None:
    assert matrix.allowed("Agent", "CORE_CRM", "Edit") is True
    assert matrix.allowed("agent", "core_crm", "admin") is False
    assert matrix.allowed("agent", "disputes", "resolve") is False
    assert matrix.allowed("it_admin", "core_crm", "anything-at-all") is True
    assert matrix.allowed("it_admin", "wiki", "read") is False
    assert matrix.allowed("janitor", "wiki", "read") is False


def test_is_privileged(matrix: RoleMatrix) -> None:
    assert matrix.is_privileged("Core_CRM", "ADMIN") is True
    assert matrix.is_privileged("core_crm", "view") is False
    assert matrix.is_privileged("disputes", "view") is True  # "*" marks every permission
    assert matrix.is_privileged("wiki", "read") is False


def test_defaults_when_only_roles_are_given(tmp_path: Path) -> None:
    matrix = load_matrix(write_yaml(tmp_path / "m.yml", {"roles": {"agent": {"crm": ["view"]}}}))
    assert matrix == RoleMatrix(roles={"agent": frozenset({("crm", "view")})})
    assert (matrix.review_cadence_days, matrix.leaver_sla_hours, matrix.dormant_days) == (
        90, 24, 90,
    )  # fmt: skip
    assert matrix.allowed("agent", "crm", "view") is True  # no systems: any system name is fine


def test_as_dict_round_trips(matrix: RoleMatrix) -> None:
    data = matrix.as_dict()
    assert data["sod_conflicts"] == [
        {"a": "disputes:resolve", "b": "core_crm:edit", "reason": ""},
        {"a": "core_crm:admin", "b": "disputes:approve", "reason": "self-approval"},
    ]
    assert data["service_accounts"] == [
        {"account": "svc-batch", "owner": "E10267"},
        {"account": "svc-sync", "owner": "E10300"},
    ]
    assert data["systems"]["disputes"] == {"application": "Card Disputes", "privileged": ["*"]}
    assert data["roles"]["agent"] == {"core_crm": ["edit", "view"], "wiki": ["read"]}
    again = from_dict(yaml.safe_load(yaml.safe_dump(data)), "stored")
    assert again == matrix
    assert again.as_dict() == data


def test_csv_form(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [
                ["Role", "System", "Permission", "Privileged", "Conflicts With"],
                ["Agent", "CRM", "View", "", ""],
                ["agent", "crm", "edit", "no", "disputes:resolve"],
                ["admin", "crm", "*", "yes", ""],
                ["lead", "disputes", "resolve", "", ""],
            ]
        )
    matrix = load_matrix(path)
    assert matrix.roles == {
        "agent": frozenset({("crm", "view"), ("crm", "edit")}),
        "admin": frozenset({("crm", "*")}),
        "lead": frozenset({("disputes", "resolve")}),
    }
    assert matrix.privileged == frozenset({("crm", "*")})
    assert matrix.conflicts == ((("crm", "edit"), ("disputes", "resolve"), ""),)
    assert matrix.applications == {"crm": "", "disputes": ""}
    assert matrix.is_privileged("crm", "view") is True
    assert matrix.allowed("admin", "crm", "delete") is True
    assert (matrix.client, matrix.review_cadence_days) == ("", 90)
    assert from_dict(matrix.as_dict(), "stored") == matrix


@pytest.mark.parametrize(
    ("rows", "needles"),
    [
        ([["role", "system"], ["a", "b"]], ["has no 'permission' column (it has: role, system)"]),
        ([["role", "system", "permission"], ["a", "crm", "view"], ["", "crm", "edit"]],
         ["row 3: field 'role' is empty"]),
        ([["role", "system", "permission", "privileged"], ["a", "crm", "view", "perhaps"]],
         ["row 2: field 'privileged' is not yes/no (looks like 'aaaaaaa')"]),
        ([["role", "system", "permission", "conflicts_with"], ["a", "crm", "view", ""],
          ["a", "crm", "edit", "crm-edit"]],
         ["row 3: conflicts_with: 'crm-edit' is not system:permission", "write e.g. crm:edit"]),
    ],
)  # fmt: skip
def test_csv_errors_name_row_and_field(
    tmp_path: Path, rows: list[list[str]], needles: list[str]
) -> None:
    path = tmp_path / "m.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    message = failure(path)
    assert message.startswith(str(path))
    for needle in needles:
        assert needle in message


def spoil(**changes: Any) -> dict[str, Any]:
    """Return FULL with top-level keys replaced (a value of None removes the key)."""
    data = {**FULL, **changes}
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (spoil(owner="ops"), "owner: is not a matrix key; use one of approvers, client, "),
        (spoil(roles={"agent": {"dialer": ["view"]}}),
         "roles.agent.dialer: unknown system 'dialer'; declare it under systems:"),
        (spoil(sod_conflicts=[["crm-edit", "disputes:resolve"]]),
         "sod_conflicts[1]: 'crm-edit' is not system:permission; write e.g. crm:edit"),
        (spoil(sod_conflicts=[["wiki:read", "core_crm:edit"], {"a": "wiki:read", "b": ":edit"}]),
         "sod_conflicts[2]: ':edit' is not system:permission"),
        (spoil(sod_conflicts=[["a:b", "c:d", "e:f"]]), "sod_conflicts[1]: is not a pair"),
        (spoil(review_cadence_days=-5), "review_cadence_days: is '-5', not a whole number"),
        (spoil(dormant_days="ninety"), "dormant_days: is 'ninety', not a whole number"),
        (spoil(leaver_sla_hours=True), "leaver_sla_hours: is 'True', not a whole number"),
        (spoil(service_accounts=[{"account": "svc-x", "owner": "E1"}, {"account": "svc-y"}]),
         "service_accounts[2]: needs account and owner; name who owns it"),
        (spoil(service_accounts=["svc-x"]), "service_accounts[1]: is str, not a mapping"),
        (spoil(roles={}), "roles: is missing or empty; list what each job role may hold"),
        (spoil(roles=None), "roles: is missing or empty"),
        (spoil(roles=["agent"]), "roles: is list, not a mapping; write key: value pairs"),
        (spoil(groups={"a": 1}), "groups: is not a list of names"),
        (spoil(systems={"crm": {"privileged": [["x"]]}}),
         "systems.crm.privileged: is not a list of names"),
        (["roles"], "matrix: is list, not a mapping"),
    ],
)  # fmt: skip
def test_yaml_errors_name_file_and_key(tmp_path: Path, data: Any, expected: str) -> None:
    path = write_yaml(tmp_path / "bad.yaml", data)
    message = failure(path)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("client: northbank\nroles:\n  agent: {crm: [view\n", encoding="utf-8")
    message = failure(path)
    assert message == f"{path} line 4: is not valid YAML; fix the indentation or quoting"
    path.write_text("client: northbank\n roles: x\n", encoding="utf-8")
    assert failure(path).startswith(f"{path} line 2: is not valid YAML")


def test_unreadable_matrix_files(tmp_path: Path) -> None:
    missing = tmp_path / "none.yaml"
    assert failure(missing) == f"{missing}: file not found; check the path"
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert (
        failure(empty) == f"{empty}: roles: is missing or empty; list what each job role may hold"
    )
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("client: caf\xe9\n".encode("latin-1"))
    assert failure(latin) == f"{latin}: is not valid YAML; fix the indentation or quoting"


def test_from_dict_names_its_source() -> None:
    with pytest.raises(ImportFileError) as exc:
        from_dict({"roles": {}}, "stored matrix for northbank")
    assert str(exc.value).startswith("stored matrix for northbank: roles: is missing")


@pytest.mark.parametrize("key", ["sod_conflicts", "service_accounts"])
def test_matrix_lists_must_be_lists(tmp_path: Path, key: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(f"roles: {{agent: {{crm: [view]}}}}\n{key}: 5\n")
    with pytest.raises(ImportFileError, match=f"{key}: is int, not a list"):
        load_matrix(path)


def test_a_matrix_sheet_without_a_column_does_not_suggest_a_missing_option(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("job,system,permission\nagent,crm,view\n")
    with pytest.raises(ImportFileError) as caught:
        load_matrix(path)
    assert str(caught.value).endswith("rename the column")
