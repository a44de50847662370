"""Read accounts from Active Directory or OpenLDAP over LDAP with ldap3: read-only, paged, bounded.

The password is only ever handed to ldap3; errors name the server URL (without any user part),
the bind DN and the base DN, never the password.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from ldap3 import BASE, DEREF_NEVER, NONE, SUBTREE, Connection, Server, Tls
from ldap3.core import exceptions as lx
from ldap3.core.results import RESULT_SIZE_LIMIT_EXCEEDED, RESULT_TIME_LIMIT_EXCEEDED

from dataward.access.engine.connectors.ldap_attrs import (
    AD_CAPABILITY,
    ATTRIBUTES,
    FILTERS,
    GROUP_ATTRIBUTES,
    GROUP_FILTER,
    GroupIndex,
    ad_account,
    openldap_account,
    texts,
    values_of,
)
from dataward.access.engine.types import PRIVILEGED_GROUPS, Account, ImportFileError, ImportResult

FLAVORS = ("auto", "ad", "openldap")
LABELS = {"ad": "Active Directory", "openldap": "OpenLDAP"}
RESULT_REFERRAL = 10
_Entries = Iterator[tuple[str, dict[str, list[bytes]]]]


def read_ldap(
    url: str,
    *,
    base_dn: str,
    bind_dn: str | None = None,
    password: str | None = None,
    flavor: str = "auto",
    user_filter: str | None = None,
    privileged_groups: Iterable[str] = (),
    page_size: int = 500,
    timeout: int = 10,
) -> ImportResult:
    """Read every user account under ``base_dn``; a repeated username is an error naming both DNs.

    ``flavor`` is "ad", "openldap" or "auto" (the root DSE's Active Directory capability, else
    entries carrying sAMAccountName). ``user_filter`` narrows the flavor's own filter.
    Simple bind when ``bind_dn`` is given, anonymous otherwise; ldaps:// verifies the server
    certificate against the system trust store (or ``SSL_CERT_FILE``).
    """
    shown, host, port, secure = _target(url)
    if flavor not in FLAVORS:
        raise ImportFileError(f"flavor {flavor!r} is unknown", shown, f"use one of {FLAVORS}")
    if page_size < 1 or timeout < 1:
        raise ImportFileError("page size and timeout must be positive", shown, "use e.g. 500, 10")
    if not base_dn.strip():
        raise ImportFileError("no base DN given", shown, "give e.g. DC=corp,DC=example,DC=com")
    conn = _bind(_server(host, port, secure, timeout), shown, bind_dn, password, timeout)
    try:
        with _translated(shown, base_dn, user_filter):
            _check_base(conn, base_dn, shown)
            chosen = _detect(conn, base_dn) if flavor == "auto" else flavor
            accounts, notes = _accounts(
                conn, shown, base_dn, chosen, user_filter, privileged_groups, page_size
            )
    finally:
        with contextlib.suppress(lx.LDAPException, OSError):
            conn.unbind()
    how = "detected" if flavor == "auto" else "as asked"
    notes.insert(0, f"read {len(accounts)} accounts from {LABELS[chosen]} ({how}) at {shown}")
    return ImportResult("ldap", accounts=tuple(accounts), notes=tuple(notes))


def _target(url: str) -> tuple[str, str, int, bool]:
    """Return (URL as errors show it, host, port, ldaps?); the shown URL drops any user part."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ImportFileError("has a bad port", "LDAP URL", "write ldap://HOST:PORT") from None
    scheme = parts.scheme.lower()
    if scheme not in ("ldap", "ldaps") or not parts.hostname:
        where = f"{scheme}://{parts.hostname or ''}" if scheme else "LDAP URL"
        raise ImportFileError(
            "is not an ldap:// or ldaps:// URL", where, "write ldap://HOST:PORT or ldaps://HOST"
        )
    secure, host = scheme == "ldaps", parts.hostname
    port = port or (636 if secure else 389)
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}", host, port, secure


def _server(host: str, port: int, secure: bool, timeout: int) -> Any:
    """Return the ldap3 Server; ldaps verifies the certificate chain and the host name."""
    tls = Tls(validate=ssl.CERT_REQUIRED, sni=host) if secure else None
    return Server(host, port=port, use_ssl=secure, tls=tls, get_info=NONE, connect_timeout=timeout)


def _bind(server: Any, shown: str, bind_dn: str | None, password: str | None, timeout: int) -> Any:
    """Open and bind a read-only connection (simple bind, or anonymous without a bind DN)."""
    if bind_dn and not password:
        raise ImportFileError(
            f"bind DN {bind_dn} has no password", shown, "give its password (never left empty)"
        )
    if password and not bind_dn:
        raise ImportFileError("a password needs a bind DN", shown, "give the bind DN too")
    conn = Connection(
        server,
        user=bind_dn or None,
        password=password or None,
        read_only=True,
        raise_exceptions=True,
        receive_timeout=timeout,
        auto_referrals=False,
    )
    try:
        conn.open()
        conn.bind()
    except lx.LDAPInvalidCredentialsResult:
        raise ImportFileError(
            f"bind as {bind_dn} was refused (invalid credentials)",
            shown,
            "check the bind DN and password",
        ) from None
    except lx.LDAPOperationResult as exc:
        raise ImportFileError(
            f"bind as {bind_dn or 'anonymous'} failed ({exc.description})",
            shown,
            "check the bind DN, password and whether the server allows simple binds",
        ) from None
    except lx.LDAPException as exc:
        reason, hint = _reason(exc)
        raise ImportFileError(f"cannot connect ({reason})", shown, hint) from None
    except _GARBLED:
        raise ImportFileError("did not answer as an LDAP server", shown, _HINT) from None
    return conn


#: What ldap3's decoder raises on bytes that are not LDAP (e.g. an HTTP server on that port).
_GARBLED = (KeyError, IndexError, ValueError, TypeError)
_HINT = "check host, port and firewall"
_REASONS = (  # (text in ldap3's message, reason shown, hint)
    ("certificate", "server certificate not trusted or not for this host",
     "trust the directory's CA certificate (system store or SSL_CERT_FILE)"),
    ("ssl", "TLS handshake failed", "use ldaps:// only on the TLS port (usually 636)"),
    ("refused", "connection refused", "check host and port (389 ldap://, 636 ldaps://)"),
    ("timed out", "timed out", "check the firewall, or raise the timeout"),
    ("invalid server address", "host not found", "check the host name"),
    ("closed", "connection closed by the server", "check ldap:// versus ldaps:// and the port"),
    ("terminated", "connection closed by the server", "check ldap:// versus ldaps:// and the port"),
    ("unreachable", "network unreachable", _HINT),
)  # fmt: skip


def _reason(exc: BaseException) -> tuple[str, str]:
    """Return a short reason and hint for a connection failure, never ldap3's raw message."""
    raw = str(exc).lower()
    for needle, reason, hint in _REASONS:
        if needle in raw:
            return reason, hint
    return type(exc).__name__, _HINT


@contextlib.contextmanager
def _translated(shown: str, base_dn: str, user_filter: str | None) -> Iterator[None]:
    """Turn ldap3 errors raised while searching into one-line ImportFileErrors."""
    try:
        yield
    except lx.LDAPNoSuchObjectResult:
        raise ImportFileError(
            f"base DN {base_dn} does not exist",
            shown,
            "check base_dn (e.g. DC=corp,DC=example,DC=com) and that the bind DN may read it",
        ) from None
    except (lx.LDAPInvalidDNSyntaxResult, lx.LDAPInvalidDnError):
        raise ImportFileError(
            f"base DN {base_dn!r} is not a valid DN", shown, "write it as DC=corp,DC=example,DC=com"
        ) from None
    except lx.LDAPInvalidFilterError:
        raise ImportFileError(
            f"user filter {user_filter!r} is not a valid LDAP filter",
            shown,
            "write it as (attribute=value), e.g. (department=Sales)",
        ) from None
    except lx.LDAPInsufficientAccessRightsResult:
        raise ImportFileError(
            f"may not search {base_dn}", shown, "bind as an account allowed to read users"
        ) from None
    except lx.LDAPOperationResult as exc:
        raise ImportFileError(
            f"search of {base_dn} failed ({exc.description})", shown, "check base DN and filter"
        ) from None
    except lx.LDAPException as exc:
        raise ImportFileError(
            f"connection lost while reading ({_reason(exc)[0]})",
            shown,
            "retry; raise the timeout for a slow or large directory",
        ) from None


def _check_base(conn: Any, base_dn: str, shown: str) -> None:
    """Fail early when the base DN is missing or held by another server (a referral)."""
    conn.search(base_dn, "(objectClass=*)", BASE, DEREF_NEVER, attributes=["1.1"])
    if conn.result and conn.result.get("result") == RESULT_REFERRAL:
        raise ImportFileError(
            f"base DN {base_dn} is held by another server (referral)",
            shown,
            "connect to a domain controller of that domain",
        )


def _detect(conn: Any, base_dn: str) -> str:
    """Return "ad" when the root DSE or the entries under the base say Active Directory."""
    with contextlib.suppress(lx.LDAPOperationResult):  # an unreadable root DSE tells nothing
        conn.search("", "(objectClass=*)", BASE, attributes=["supportedCapabilities"])
        for item in _found(conn.response):
            if AD_CAPABILITY in texts(values_of(item["raw_attributes"]), "supportedCapabilities"):
                return "ad"
    conn.search(base_dn, "(sAMAccountName=*)", SUBTREE, DEREF_NEVER, ["1.1"], size_limit=1)
    return "ad" if _found(conn.response) else "openldap"


def _found(response: Any) -> list[dict[str, Any]]:
    """Return the entries of a search response, without continuation references."""
    return [r for r in response or () if r.get("type") == "searchResEntry"]


def _entries(
    conn: Any, shown: str, base_dn: str, search: str, attributes: tuple[str, ...], page_size: int
) -> _Entries:
    """Yield (DN, values) of every match, page by page; a truncated search is an error."""
    count = 0
    for item in conn.extend.standard.paged_search(
        base_dn,
        search,
        SUBTREE,
        DEREF_NEVER,
        attributes=list(attributes),
        paged_size=page_size,
        generator=True,
    ):
        if item.get("type") == "searchResEntry":
            count += 1
            yield str(item["dn"]), values_of(item["raw_attributes"])
    code = (conn.result or {}).get("result")
    if code in (RESULT_SIZE_LIMIT_EXCEEDED, RESULT_TIME_LIMIT_EXCEEDED):
        limit = "size" if code == RESULT_SIZE_LIMIT_EXCEEDED else "time"
        raise ImportFileError(
            f"the server stopped the search after {count} entries ({limit} limit)",
            shown,
            f"raise the server's {limit} limit for this bind DN, or narrow base_dn",
        )


def _filter(flavor: str, user_filter: str | None) -> str:
    """Return the flavor's user filter, narrowed by the caller's filter when given."""
    if not user_filter or not user_filter.strip():
        return FILTERS[flavor]
    extra = user_filter.strip()
    extra = extra if extra.startswith("(") else f"({extra})"
    return f"(&{FILTERS[flavor]}{extra})"


def _accounts(
    conn: Any,
    shown: str,
    base_dn: str,
    flavor: str,
    user_filter: str | None,
    privileged_groups: Iterable[str],
    page_size: int,
) -> tuple[list[Account], list[str]]:
    """Read the users (and, for OpenLDAP, the groups first) into Accounts."""
    admin = {g.lower() for g in (*PRIVILEGED_GROUPS, *privileged_groups)}
    index = GroupIndex()
    if flavor == "openldap":
        for dn, values in _entries(conn, shown, base_dn, GROUP_FILTER, GROUP_ATTRIBUTES, page_size):
            index.add(dn, values)
    accounts: dict[str, tuple[Account, str]] = {}
    skipped = 0
    search = _filter(flavor, user_filter)
    for row, (dn, values) in enumerate(
        _entries(conn, shown, base_dn, search, ATTRIBUTES[flavor], page_size), start=1
    ):
        where = f"{shown} entry {row} ({dn})"
        if flavor == "ad":
            account = ad_account(dn, values, row, admin, where)
        else:
            account = openldap_account(dn, values, row, admin, index, where)
        if account is None:
            skipped += 1
            continue
        key = account.username.lower()
        if key in accounts:
            raise ImportFileError(
                f"username {account.username} is held by both {accounts[key][1]} and {dn}",
                shown,
                "keep one account per username, or narrow base_dn or user_filter",
            )
        accounts[key] = (account, dn)
    notes = []
    if skipped:
        attr = "sAMAccountName" if flavor == "ad" else "uid"
        notes.append(f"{skipped} entries without {attr} skipped (not sign-in accounts)")
    if flavor == "ad":
        notes.append("groups are direct memberOf; adminCount=1 marks protected-group members")
    return [a for a, _ in accounts.values()], notes
