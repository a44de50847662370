"""Read SCIM 2.0 Users and Groups (RFC 7643, enterprise extension) with scim2-models."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from scim2_models import Context, EnterpriseUser, Group, User

from dataward.access.engine.types import PRIVILEGED_GROUPS, Account, ImportFileError, ImportResult

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def _resources(path: Path) -> list[dict[str, Any]]:
    """Return the resources of a ListResponse, a bare list or a single resource."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ImportFileError("file not found", str(path), "check the path") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"is not JSON ({exc})", str(path), "export SCIM as JSON") from None
    except RecursionError:
        raise ImportFileError(
            "nests too deeply to be JSON", str(path), "export SCIM as JSON"
        ) from None
    if isinstance(data, dict) and "Resources" in data:
        data = data["Resources"]
    elif isinstance(data, dict) and LIST_SCHEMA in (data.get("schemas") or []):
        data = []  # an empty ListResponse may leave Resources out (RFC 7644, 3.4.2)
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ImportFileError(
            "holds no SCIM resources", str(path), "export a ListResponse of Users or Groups"
        )
    return data


def _validate(model: Any, resource: dict[str, Any], where: str) -> Any:
    """Validate one resource, turning a pydantic error into one line naming the field."""
    try:
        return model.model_validate(resource, scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "resource"
        raise ImportFileError(
            f"field {field!r}: {first['msg']}", where, "fix the resource to match RFC 7643"
        ) from None


def _schemas(resource: dict[str, Any]) -> set[str]:
    """Return a resource's declared schemas."""
    return {str(s) for s in resource.get("schemas") or []}


def read_scim(paths: Sequence[Path], privileged_groups: Iterable[str] = ()) -> ImportResult:
    """Read Users and Groups from one or more files; groups fill in user memberships."""
    users: list[tuple[Any, str, int]] = []
    members: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        for n, resource in enumerate(_resources(path), start=1):
            where = f"{path} resource {n}"
            kinds = _schemas(resource)
            if USER_SCHEMA in kinds:
                users.append((_validate(User[EnterpriseUser], resource, where), where, n))
            elif GROUP_SCHEMA in kinds:
                group = _validate(Group, resource, where)
                for member in group.members or []:
                    if member.value:
                        members[str(member.value)].add(group.display_name or "")
            else:
                raise ImportFileError(
                    f"has schemas {sorted(kinds)}", where, "give SCIM User or Group resources"
                )
    admin = {g.lower() for g in (*PRIVILEGED_GROUPS, *privileged_groups)}
    accounts: dict[str, Account] = {}
    for user, where, n in users:
        account = _account(user, members, admin, n, where)
        key = account.username.lower()
        if key in accounts:
            raise ImportFileError(f"userName {account.username} repeats", where, "keep one each")
        accounts[key] = account
    return ImportResult("scim", accounts=tuple(accounts.values()))


def _account(
    user: Any, members: dict[str, set[str]], admin: set[str], n: int, where: str
) -> Account:
    """Return one SCIM user as an Account (SCIM says nothing about MFA: left unknown)."""
    if not user.user_name:
        raise ImportFileError("has no userName", where, "every SCIM User needs one")
    groups = {g.display for g in user.groups or [] if g.display}
    groups |= members.get(str(user.id), set())
    emails = [e for e in user.emails or [] if e.value]
    primary = next((e for e in emails if e.primary), emails[0] if emails else None)
    try:
        enterprise = user[EnterpriseUser]
    except (KeyError, TypeError):
        enterprise = None
    name = user.display_name or (user.name.formatted if user.name else "") or ""
    return Account(
        username=str(user.user_name),
        employee_id=str(enterprise.employee_number or "") if enterprise else "",
        email=str(primary.value).lower() if primary else "",
        display_name=name,
        enabled=user.active is not False,
        groups=tuple(sorted(groups)),
        privileged=any(g.lower() in admin for g in groups),
        aliases=tuple(a for a in (user.external_id,) if a),
        row=n,
    )
