"""Turn LDAP entries (Active Directory or OpenLDAP) into Accounts: names, state, logins, groups."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from ldap3.protocol.formatters.formatters import format_time

from dataward.access.engine.types import Account, ImportFileError

#: Raw attribute values keyed by lower-case attribute name.
Values = Mapping[str, Sequence[bytes]]

#: Root DSE supportedCapabilities value every Active Directory domain controller announces.
AD_CAPABILITY = "1.2.840.113556.1.4.800"
#: userAccountControl bit ACCOUNTDISABLE.
AD_DISABLED = 0x2
#: lastLogonTimestamp replicates only when it is 9-14 days old, so it may lag this much.
AD_LOGIN_LAG_DAYS = 14
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)

FILTERS = {
    "ad": "(&(objectClass=user)(!(objectClass=computer)))",
    "openldap": "(|(objectClass=inetOrgPerson)(objectClass=posixAccount))",
}
ATTRIBUTES = {
    "ad": (
        "sAMAccountName", "userPrincipalName", "employeeID", "employeeNumber", "mail",
        "displayName", "cn", "userAccountControl", "lastLogonTimestamp", "memberOf", "adminCount",
    ),
    "openldap": (
        "uid", "employeeNumber", "mail", "displayName", "cn", "memberOf",
        "pwdAccountLockedTime", "authTimestamp", "pwdLastSuccess",
    ),
}  # fmt: skip
GROUP_FILTER = (
    "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))"
)
GROUP_ATTRIBUTES = ("cn", "member", "uniqueMember", "memberUid")

_SPLIT_RDN = re.compile(r"(?<!\\)[,;]")
_SPLIT_AVA = re.compile(r"(?<!\\)\+")
_ESCAPE = re.compile(rb"\\([0-9a-fA-F]{2}|.)")
_UNIQUE_UID = re.compile(r"#'[01]*'B$")


def values_of(raw: Mapping[str, Sequence[bytes]]) -> dict[str, list[bytes]]:
    """Key an entry's raw values by lower-case name, dropping options such as ``;range=0-1499``."""
    found: dict[str, list[bytes]] = {}
    for name, items in raw.items():
        found.setdefault(name.split(";", 1)[0].lower(), []).extend(items)
    return found


def texts(values: Values, name: str) -> list[str]:
    """Return an attribute's non-empty values as stripped text."""
    found = (v.decode("utf-8", "replace").strip() for v in values.get(name.lower(), ()))
    return [v for v in found if v]


def text(values: Values, *names: str) -> str:
    """Return the first value of the first of ``names`` that has one, else ''."""
    for name in names:
        found = texts(values, name)
        if found:
            return found[0]
    return ""


def integer(values: Values, name: str, where: str) -> int | None:
    """Return an integer attribute, None when absent; a non-number is an error."""
    value = text(values, name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ImportFileError(
            f"attribute {name} is not a number", where, "check the directory entry"
        ) from None


def filetime(value: int | None) -> datetime | None:
    """Return a Windows FILETIME (100 ns since 1601, UTC) as a datetime; 0 or absent is never."""
    if not value or value <= 0:
        return None
    try:
        return FILETIME_EPOCH + timedelta(microseconds=value // 10)
    except OverflowError:  # 0x7FFFFFFFFFFFFFFF also means never
        return None


def generalized_time(values: Values, name: str, where: str) -> datetime | None:
    """Return a GeneralizedTime attribute (e.g. 20240115083000Z) as an aware UTC datetime."""
    value = text(values, name)
    if not value:
        return None
    moment = format_time(value.encode())
    if not isinstance(moment, datetime):
        raise ImportFileError(
            f"attribute {name} is not a GeneralizedTime", where, "check the directory entry"
        )
    return moment.astimezone(UTC)


def _unescape(value: str) -> str:
    """Undo DN escaping (RFC 4514): backslash-hex pairs are UTF-8 bytes, backslash-char is char."""

    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        return bytes.fromhex(code.decode()) if len(code) == 2 else code

    return _ESCAPE.sub(one, value.encode()).decode("utf-8", "replace")


def _rdns(dn: str) -> list[tuple[str, str]]:
    """Split a DN into (attribute, value) pairs, first AVA of each RDN, values unescaped."""
    pairs = []
    for rdn in _SPLIT_RDN.split(dn):
        ava = _SPLIT_AVA.split(rdn, 1)[0]
        attr, _, value = ava.partition("=")
        if attr.strip():
            pairs.append((attr.strip(), _unescape(value.strip())))
    return pairs


def dn_key(dn: str) -> str:
    """Return a DN normalised for comparison: lower case, no spaces around separators."""
    dn = _UNIQUE_UID.sub("", dn.strip())
    return ",".join(f"{a.lower()}={v.lower()}" for a, v in _rdns(dn))


def rdn_value(dn: str) -> str:
    """Return the value of a DN's first RDN (the CN of a group DN), or the DN when unparsable."""
    pairs = _rdns(dn)
    return pairs[0][1] if pairs else dn


class GroupIndex:
    """Group entries found under the base DN: which members each group has, nesting followed."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.parents: dict[str, set[str]] = {}

    def add(self, dn: str, values: Values) -> None:
        """Record one groupOfNames, groupOfUniqueNames or posixGroup entry."""
        key = dn_key(dn)
        self.names[key] = text(values, "cn") or rdn_value(dn)
        members = [dn_key(m) for m in texts(values, "member") + texts(values, "uniqueMember")]
        members += [f"uid:{u.lower()}" for u in texts(values, "memberUid")]
        for member in members:
            self.parents.setdefault(member, set()).add(key)

    def groups_of(self, keys: Iterable[str]) -> set[str]:
        """Return the names of every group holding any of ``keys``, directly or through groups."""
        seen: set[str] = set()
        todo = [g for k in keys for g in self.parents.get(k, ())]
        while todo:
            group = todo.pop()
            if group not in seen:
                seen.add(group)
                todo.extend(self.parents.get(group, ()))
        return {self.names[g] for g in seen}


def ad_account(dn: str, values: Values, row: int, admin: set[str], where: str) -> Account | None:
    """Return an Active Directory user as an Account; None when it has no sAMAccountName."""
    name = text(values, "sAMAccountName")
    if not name:
        return None
    control = integer(values, "userAccountControl", where) or 0
    groups = sorted({rdn_value(g) for g in texts(values, "memberOf")}, key=str.lower)
    return Account(
        username=name,
        employee_id=text(values, "employeeID", "employeeNumber"),
        email=text(values, "mail").lower(),
        display_name=text(values, "displayName", "cn"),
        enabled=not control & AD_DISABLED,
        last_login=filetime(integer(values, "lastLogonTimestamp", where)),
        groups=tuple(groups),
        privileged=integer(values, "adminCount", where) == 1
        or any(g.lower() in admin for g in groups),
        login_lag_days=AD_LOGIN_LAG_DAYS,
        aliases=tuple(texts(values, "userPrincipalName")),
        row=row,
    )


def openldap_account(
    dn: str, values: Values, row: int, admin: set[str], index: GroupIndex, where: str
) -> Account | None:
    """Return an OpenLDAP person as an Account; None when it has no uid."""
    uids = texts(values, "uid")
    if not uids:
        return None
    member_of = texts(values, "memberOf")
    found = {rdn_value(g) for g in member_of}
    if index.parents:  # group entries under the base: direct, memberUid and nested membership
        keys = [dn_key(dn), *(f"uid:{u.lower()}" for u in uids), *map(dn_key, member_of)]
        found |= index.groups_of(keys)
    groups = sorted(found, key=str.lower)
    logins = [generalized_time(values, a, where) for a in ("authTimestamp", "pwdLastSuccess")]
    return Account(
        username=uids[0],
        employee_id=text(values, "employeeNumber"),
        email=text(values, "mail").lower(),
        display_name=text(values, "displayName", "cn"),
        enabled=not texts(values, "pwdAccountLockedTime"),
        last_login=max((t for t in logins if t), default=None),
        groups=tuple(groups),
        privileged=any(g.lower() in admin for g in groups),
        aliases=tuple(uids[1:]),
        row=row,
    )
