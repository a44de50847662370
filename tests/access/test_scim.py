"""SCIM 2.0 connector: Users (with the enterprise extension) and Groups from JSON exports.

Every resource is written here from Python data; the users are invented at example domains.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dataward.access.engine.connectors.scim import read_scim
from dataward.access.engine.types import Account, ImportFileError

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def user(uid: str, login: str, employee: str = "", **extra: Any) -> dict[str, Any]:
    """One SCIM User resource; ``employee`` adds the enterprise extension."""
    resource: dict[str, Any] = {"schemas": [USER], "id": uid, "userName": login, **extra}
    if employee:
        resource["schemas"] = [USER, ENTERPRISE]
        resource[ENTERPRISE] = {"employeeNumber": employee, "department": "Ops"}
    return resource


def group(gid: str, display: str, *members: str) -> dict[str, Any]:
    """One SCIM Group resource with the given member user ids."""
    return {
        "schemas": [GROUP],
        "id": gid,
        "displayName": display,
        "members": [{"value": m, "type": "User"} for m in members],
    }


def listing(*resources: dict[str, Any]) -> dict[str, Any]:
    """A ListResponse holding the resources."""
    return {
        "schemas": [LIST],
        "totalResults": len(resources),
        "itemsPerPage": len(resources),
        "startIndex": 1,
        "Resources": list(resources),
    }


def write(path: Path, data: Any) -> Path:
    """Write data as JSON and return the path."""
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def failure(paths: list[Path], **kwargs: Any) -> str:
    """Return the ImportFileError message read_scim raises."""
    with pytest.raises(ImportFileError) as exc:
        read_scim(paths, **kwargs)
    return str(exc.value)


USERS = [
    user(
        "u-1", "ann.lee@corp.example", "E100",
        externalId="00u-ann", displayName="Ann Lee",
        emails=[{"value": "ann.home@example.com", "type": "home"},
                {"value": "Ann.Lee@Corp.Example", "type": "work", "primary": True}],
    ),
    user("u-2", "bo.diaz@corp.example", active=False, name={"formatted": "Bo Diaz"},
         emails=[{"value": "bo.diaz@corp.example", "type": "work"}]),
    user("u-3", "cy.ode@corp.example", "E102", displayName="Cy Ode"),
]  # fmt: skip
GROUPS = [
    group("g-1", "Domain Admins", "u-1"),
    group("g-2", "VPN Users", "u-1", "u-2"),
    group("g-3", "helpdesk-admins", "u-3"),
]


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    """A Users export and a separate Groups export."""
    return [
        write(tmp_path / "users.json", listing(*USERS)),
        write(tmp_path / "groups.json", listing(*GROUPS)),
    ]


def test_users_and_groups_merge(files: list[Path]) -> None:
    result = read_scim(files, privileged_groups=("helpdesk-admins",))
    assert result.kind == "scim"
    ann, bo, cy = result.accounts
    assert ann == Account(
        username="ann.lee@corp.example", employee_id="E100", email="ann.lee@corp.example",
        display_name="Ann Lee", enabled=True, groups=("Domain Admins", "VPN Users"),
        privileged=True, aliases=("00u-ann",), row=1,
    )  # fmt: skip
    assert bo == Account(
        username="bo.diaz@corp.example", email="bo.diaz@corp.example", display_name="Bo Diaz",
        enabled=False, groups=("VPN Users",), privileged=False, row=2,
    )  # fmt: skip
    assert (cy.employee_id, cy.groups, cy.privileged, cy.email) == (
        "E102", ("helpdesk-admins",), True, "",
    )  # fmt: skip


def test_mfa_and_last_login_stay_unknown(files: list[Path]) -> None:
    for account in read_scim(files).accounts:
        assert (account.mfa_registered, account.mfa_enforced, account.last_login) == (
            None, None, None,
        )  # fmt: skip


def test_privileged_groups_are_only_the_builtin_ones_by_default(files: list[Path]) -> None:
    ann, _, cy = read_scim(files).accounts
    assert ann.privileged is True
    assert cy.privileged is False
    assert cy.groups == ("helpdesk-admins",)


def test_privileged_group_names_ignore_case(tmp_path: Path) -> None:
    users = write(tmp_path / "u.json", listing(user("u-9", "dee")))
    groups = write(tmp_path / "g.json", listing(group("g-9", "DOMAIN ADMINS", "u-9")))
    (dee,) = read_scim([users, groups]).accounts
    assert (dee.groups, dee.privileged) == (("DOMAIN ADMINS",), True)
    groups = write(groups, listing(group("g-9", "HelpDesk-Admins", "u-9")))
    (dee,) = read_scim([users, groups], privileged_groups=("helpdesk-admins",)).accounts
    assert dee.privileged is True


def test_groups_file_may_come_first(files: list[Path]) -> None:
    forward = read_scim(files).accounts
    assert read_scim(list(reversed(files))).accounts == forward


def test_groups_listed_on_the_user_count_too(tmp_path: Path) -> None:
    eve = user("u-5", "eve", groups=[{"value": "g-7", "display": "wheel"}])
    users = write(tmp_path / "u.json", listing(eve))
    groups = write(tmp_path / "g.json", listing(group("g-8", "Sales", "u-5")))
    (account,) = read_scim([users, groups]).accounts
    assert (account.groups, account.privileged) == (("Sales", "wheel"), True)


def test_single_bare_user_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", user("u-7", "fay", "E7", emails=[{"value": "F@X.example"}]))
    (fay,) = read_scim([path]).accounts
    assert (fay.username, fay.employee_id, fay.email, fay.row) == ("fay", "E7", "f@x.example", 1)


def test_bare_list_of_resources_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "list.json", [user("u-1", "gil"), group("g-1", "Wheel", "u-1")])
    (gil,) = read_scim([path]).accounts
    assert (gil.username, gil.groups, gil.privileged) == ("gil", ("Wheel",), True)


def test_wrong_type_names_resource_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path / "u.json", listing(user("u-1", "hal"), user("u-2", "ivy", active="maybe"))
    )
    message = failure([path])
    assert message.startswith(f"{path} resource 2: field 'active': ")
    assert message.endswith("; fix the resource to match RFC 7643")


def test_wrong_type_in_a_group_names_the_group(tmp_path: Path) -> None:
    bad = {**group("g-1", "Sales", "u-1"), "members": "u-1"}
    path = write(tmp_path / "g.json", listing(bad))
    message = failure([path])
    assert message.startswith(f"{path} resource 1: field 'members': ")


def test_unknown_schemas_are_an_error(tmp_path: Path) -> None:
    widget = {"schemas": ["urn:example:widget"], "id": "w-1"}
    path = write(tmp_path / "u.json", listing(user("u-1", "jo"), widget))
    assert failure([path]) == (
        f"{path} resource 2: has schemas ['urn:example:widget']; give SCIM User or Group resources"
    )


def test_broken_json_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    path.write_text('{"schemas": [', encoding="utf-8")
    message = failure([path])
    assert message.startswith(f"{path}: is not JSON (")
    assert message.endswith("; export SCIM as JSON")


def test_json_without_resources_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "n.json", 42)
    assert failure([path]) == (
        f"{path}: holds no SCIM resources; export a ListResponse of Users or Groups"
    )
    path = write(path, [user("u-1", "kai"), "not a resource"])
    assert "holds no SCIM resources" in failure([path])


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    assert failure([path]) == f"{path}: file not found; check the path"


def test_repeated_username_across_files_is_an_error(tmp_path: Path) -> None:
    first = write(tmp_path / "a.json", listing(user("u-1", "Lee")))
    second = write(tmp_path / "b.json", listing(user("u-2", "max"), user("u-3", "lee")))
    assert failure([first, second]) == f"{second} resource 2: userName lee repeats; keep one each"


def test_missing_username_names_the_file(tmp_path: Path) -> None:
    nameless = {"schemas": [USER], "id": "u-1"}
    path = write(tmp_path / "u.json", listing(nameless))
    message = failure([path])
    assert "has no userName" in message
    assert f"{path} resource 1" in message


def test_empty_list_response_holds_no_accounts(tmp_path: Path) -> None:
    users = write(tmp_path / "u.json", listing(user("u-1", "ned")))
    empty = {"schemas": [LIST], "totalResults": 0, "itemsPerPage": 0, "startIndex": 1}
    groups = write(tmp_path / "g.json", empty)
    assert [a.username for a in read_scim([users, groups]).accounts] == ["ned"]
