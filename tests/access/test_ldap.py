"""The LDAP connector against a real OpenLDAP server: both flavors, paging, limits and errors."""

from __future__ import annotations

import base64
import socket
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ldap3
import pytest

from access import ldap_server
from access.ldap_server import ROOT_PW, Database, Slapd, free_port, running_slapd
from dataward.access.engine.connectors.ldap import read_ldap
from dataward.access.engine.connectors.ldap_attrs import dn_key, filetime, rdn_value
from dataward.access.engine.types import Account, ImportFileError, ImportResult

pytestmark = pytest.mark.ldap

SUFFIX = "dc=example,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
OPENLDAP = f"ou=openldap,{SUFFIX}"
PEOPLE = f"ou=people,{OPENLDAP}"
GROUPS = f"ou=groups,{OPENLDAP}"
AD = f"ou=ad,{SUFFIX}"
AD_USERS = f"ou=users,{AD}"
AD_GROUPS = f"ou=groups,{AD}"
BULK = 200
ANONYMOUS_LIMIT = 50
READER_LIMIT = 30
ANN_LOGIN = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)
EVE_LOGIN = datetime(2021, 6, 30, 7, 15, 30, tzinfo=UTC)


def _filetime(moment: datetime) -> int:
    """Windows FILETIME computed independently: 11644473600 s lie between 1601 and 1970."""
    return (int(moment.timestamp()) + 11_644_473_600) * 10_000_000


def _ldif(dn: str, **attrs: str | list[str]) -> str:
    """Return one LDIF record; non-ASCII values are base64 encoded."""
    lines = [f"dn: {dn}"]
    for name, value in attrs.items():
        for item in value if isinstance(value, list) else [value]:
            if item.isascii():
                lines.append(f"{name}: {item}")
            else:
                lines.append(f"{name}:: {base64.b64encode(item.encode()).decode()}")
    return "\n".join(lines) + "\n\n"


def _ou(dn: str) -> str:
    return _ldif(dn, objectClass="organizationalUnit", ou=rdn_value(dn))


def _person(uid: str, **attrs: str | list[str]) -> str:
    classes = ["inetOrgPerson", *([] if "uidNumber" not in attrs else ["posixAccount"])]
    attrs.setdefault("cn", uid.title())
    attrs.setdefault("sn", uid.title())
    return _ldif(f"uid={uid},{PEOPLE}", objectClass=classes, uid=uid, **attrs)


def _ad_user(cn: str, **attrs: str | list[str]) -> str:
    attrs.setdefault("sn", cn.split()[-1])
    return _ldif(f"cn={cn},{AD_USERS}", objectClass=["inetOrgPerson", "user"], cn=cn, **attrs)


def _example_ldif() -> str:
    out = _ldif(SUFFIX, objectClass=["dcObject", "organization"], o="Example", dc="example")
    out += _ldif(
        f"cn=reader,{SUFFIX}",
        objectClass=["organizationalRole", "simpleSecurityObject"],
        userPassword="reader-pw",
    )
    out += _ou(f"ou=policies,{SUFFIX}")
    out += _ldif(
        f"cn=default,ou=policies,{SUFFIX}",
        objectClass=["device", "pwdPolicy"],
        pwdAttribute="userPassword",
        pwdLockout="TRUE",
        pwdMaxFailure="2",
    )
    out += _ou(OPENLDAP) + _ou(PEOPLE) + _ou(GROUPS)
    out += _person(
        "alice",
        cn="Alice Archer",
        displayName="Alice A.",
        mail="Alice.Archer@Example.TEST",
        employeeNumber="E001",
        authTimestamp="20240115083000Z",
    )
    out += _person("bob", employeeNumber="E002", pwdAccountLockedTime="000001010000Z")
    out += _person(
        "carol",
        cn="Carol Crane",
        uidNumber="1003",
        gidNumber="1003",
        homeDirectory="/home/carol",
    )
    out += _person("dave", employeeNumber="E004", pwdLastSuccess="20200301000000Z")
    out += _person("erin", employeeNumber="E005", userPassword="erin-pw")
    out += _person("frank", employeeNumber="E006", userPassword="frank-pw")
    out += _ldif(f"cn=Printer Contact,{PEOPLE}", objectClass="inetOrgPerson", sn="Contact")
    for n in range(1, BULK + 1):
        out += _person(f"user{n:03d}", employeeNumber=f"E1{n:03d}", mail=f"user{n:03d}@x.test")
    out += _ou(AD) + _ou(AD_USERS) + _ou(AD_GROUPS)
    out += _ad_user(
        "Ann Admin",
        sAMAccountName="ann",
        userPrincipalName="ann@corp.example.test",
        employeeID="1001",
        employeeNumber="9991",
        mail="Ann.Admin@Corp.Example.Test",
        displayName="Ann Admin",
        userAccountControl="512",
        lastLogonTimestamp=str(_filetime(ANN_LOGIN)),
    )
    out += _ad_user(
        "Ben Gone", sAMAccountName="ben", employeeNumber="1002", userAccountControl="514",
        lastLogonTimestamp="0",
    )  # fmt: skip
    out += _ad_user("Cat Keeper", sAMAccountName="cat", userAccountControl="66048", adminCount="1")
    out += _ad_user("Dan Doe", sAMAccountName="dan", userAccountControl="512")
    out += _ad_user(
        "Eve Early", sAMAccountName="eve", userAccountControl="512",
        lastLogonTimestamp=str(_filetime(EVE_LOGIN)),
    )  # fmt: skip
    out += _ad_user(
        "Fay Never", sAMAccountName="fay", userAccountControl="512",
        lastLogonTimestamp="9223372036854775807",
    )  # fmt: skip
    out += _ldif(
        f"cn=HOST01,{AD_USERS}",
        objectClass=["device", "user", "computer"],
        sAMAccountName="HOST01$",
        userAccountControl="4096",
    )
    out += "".join(_ou(f"{ou}ou=dupes,{SUFFIX}") for ou in ("", "ou=a,", "ou=b,"))
    for ou, uid in (("a", "sam"), ("b", "Sam")):
        out += _ldif(
            f"uid={uid},ou={ou},ou=dupes,{SUFFIX}", objectClass="inetOrgPerson", cn=uid, sn=uid
        )
    return out


def _plain_ldif() -> str:
    """A database without the memberof overlay: groups must be found by searching them."""
    out = _ldif("dc=plain,dc=test", objectClass=["dcObject", "organization"], o="P", dc="plain")
    gina = {"uid": "gina", "cn": "Gina", "sn": "G"}
    out += _ldif("uid=gina,dc=plain,dc=test", objectClass="inetOrgPerson", **gina)
    out += _ldif(
        "cn=root,dc=plain,dc=test", objectClass="groupOfNames", member="uid=gina,dc=plain,dc=test"
    )
    out += _ldif(
        "cn=devs,dc=plain,dc=test", objectClass="posixGroup", gidNumber="500", memberUid="gina"
    )
    return out


GROUP_ENTRIES = [  # added online so that the memberof overlay fills in memberOf
    (f"cn=ops,{GROUPS}", "groupOfNames", {"member": [f"uid=erin,{PEOPLE}"]}),
    (f"cn=wheel,{GROUPS}", "groupOfNames", {"member": [f"uid=alice,{PEOPLE}", f"cn=ops,{GROUPS}"]}),
    (f"cn=dba,{GROUPS}", "groupOfNames", {"member": [f"uid=dave,{PEOPLE}"]}),
    (f"cn=auditors,{GROUPS}", "groupOfUniqueNames", {"uniqueMember": [f"uid=dave,{PEOPLE}"]}),
    (f"cn=sudo,{GROUPS}", "posixGroup", {"gidNumber": "27", "memberUid": ["carol"]}),
    (
        f"cn=staff,{GROUPS}",
        "groupOfNames",
        {"member": [f"uid=user{n:03d},{PEOPLE}" for n in range(1, BULK + 1)]},
    ),
    (f"cn=Domain Admins,{AD_GROUPS}", "groupOfNames", {"member": [f"cn=Ann Admin,{AD_USERS}"]}),
    (
        f"cn=Finance\\, EMEA,{AD_GROUPS}",
        "groupOfNames",
        {"member": [f"cn=Ann Admin,{AD_USERS}", f"cn=Dan Doe,{AD_USERS}"]},
    ),
    ("cn=Équipe Paris," + AD_GROUPS, "groupOfNames", {"member": [f"cn=Dan Doe,{AD_USERS}"]}),
    (f"cn=Tier0,{AD_GROUPS}", "groupOfNames", {"member": [f"cn=Eve Early,{AD_USERS}"]}),
]


@pytest.fixture(scope="module")
def slapd() -> Iterator[Slapd]:
    """Run one slapd (TLS too) for the module: the example directory and a plain database."""
    dbs = [
        Database(
            SUFFIX,
            _example_ldif(),
            overlays=("memberof", "ppolicy", "lastbind"),
            limits=(
                f'dn.exact="cn=reader,{SUFFIX}" size.soft={READER_LIMIT} size.hard={READER_LIMIT}',
                f"anonymous size.soft={ANONYMOUS_LIMIT} size.hard={ANONYMOUS_LIMIT}"
                " size.prtotal=unlimited",
            ),
            ppolicy_default=f"cn=default,ou=policies,{SUFFIX}",
        ),
        Database("dc=plain,dc=test", _plain_ldif()),
    ]
    with running_slapd(Path(tempfile.mkdtemp(prefix="dw-slapd-")), dbs, tls=True) as server:
        conn = ldap3.Connection(server.url, ROOT_DN, ROOT_PW, auto_bind=True)
        for dn, kind, attrs in GROUP_ENTRIES:
            assert conn.add(dn, kind, {"cn": rdn_value(dn), **attrs}), conn.result
        conn.unbind()
        yield server


def _read(server: Slapd, base: str = OPENLDAP, **kwargs: object) -> ImportResult:
    kwargs.setdefault("bind_dn", ROOT_DN)
    kwargs.setdefault("password", ROOT_PW if kwargs["bind_dn"] else None)
    return read_ldap(server.url, base_dn=base, **kwargs)  # type: ignore[arg-type]


def _by_name(result: ImportResult) -> dict[str, Account]:
    return {a.username: a for a in result.accounts}


def test_openldap_people(slapd: Slapd) -> None:
    result = _read(slapd, flavor="openldap")
    people = _by_name(result)
    assert result.kind == "ldap"
    assert len(people) == BULK + 6
    assert {"alice", "bob", "carol", "dave", "erin", "frank", "user001", "user200"} <= set(people)
    alice = people["alice"]
    assert alice.employee_id == "E001"
    assert alice.email == "alice.archer@example.test"
    assert alice.display_name == "Alice A."
    assert alice.enabled
    assert alice.last_login == datetime(2024, 1, 15, 8, 30, tzinfo=UTC)
    assert alice.login_lag_days == 0
    assert (alice.mfa_registered, alice.mfa_enforced) == (None, None)
    assert not people["bob"].enabled  # pwdAccountLockedTime (ppolicy)
    carol = people["carol"]  # posixAccount, posixGroup membership by memberUid
    assert (carol.employee_id, carol.display_name, carol.last_login) == ("", "Carol Crane", None)
    assert carol.groups == ("sudo",)
    assert carol.privileged
    dave = people["dave"]
    assert dave.last_login == datetime(2020, 3, 1, tzinfo=UTC)  # stale, from pwdLastSuccess
    assert dave.groups == ("auditors", "dba")
    assert not dave.privileged
    assert people["user137"].employee_id == "E1137"
    assert people["user137"].groups == ("staff",)
    assert not people["user137"].privileged
    assert any("1 entries without uid skipped" in n for n in result.notes)
    assert "OpenLDAP (as asked)" in result.notes[0]
    rows = sorted(a.row for a in result.accounts)
    assert rows[0] >= 1
    assert rows[-1] <= BULK + 7
    assert len(set(rows)) == len(rows)


def test_openldap_privileged_by_group_and_nesting(slapd: Slapd) -> None:
    people = _by_name(_read(slapd, flavor="openldap", privileged_groups=["DBA"]))
    assert people["alice"].groups == ("wheel",)
    assert people["alice"].privileged
    assert people["erin"].groups == ("ops", "wheel")
    assert people["erin"].privileged
    assert people["dave"].privileged  # dba named by the caller, any case
    assert not people["bob"].privileged


def test_openldap_memberof_alone_when_groups_lie_outside_the_base(slapd: Slapd) -> None:
    people = _by_name(_read(slapd, PEOPLE, flavor="openldap"))
    assert people["alice"].groups == ("wheel",)
    assert people["alice"].privileged
    assert people["erin"].groups == ("ops",)  # memberOf is direct only
    assert people["carol"].groups == ()  # posixGroup memberUid never shows in memberOf


def test_openldap_groups_searched_without_memberof(slapd: Slapd) -> None:
    people = _by_name(_read(slapd, "dc=plain,dc=test", bind_dn=None, flavor="openldap"))
    assert people["gina"].groups == ("devs", "root")
    assert people["gina"].privileged


def test_active_directory_users(slapd: Slapd) -> None:
    result = _read(slapd, AD, flavor="ad", privileged_groups=["tier0"])
    users = _by_name(result)
    assert set(users) == {"ann", "ben", "cat", "dan", "eve", "fay"}  # HOST01$ is a computer
    ann = users["ann"]
    assert ann.employee_id == "1001"
    assert ann.email == "ann.admin@corp.example.test"
    assert ann.aliases == ("ann@corp.example.test",)
    assert "ann@corp.example.test" in ann.names()
    assert ann.groups == ("Domain Admins", "Finance, EMEA")
    assert ann.privileged
    assert ann.last_login == ANN_LOGIN
    assert ann.last_login.tzinfo is not None
    assert ann.login_lag_days == 14
    assert ann.enabled
    ben = users["ben"]
    assert not ben.enabled
    assert ben.last_login is None
    assert ben.employee_id == "1002"
    assert users["cat"].enabled
    assert users["cat"].privileged
    assert users["cat"].groups == ()
    dan = users["dan"]
    assert (dan.employee_id, dan.display_name, dan.last_login) == ("", "Dan Doe", None)
    assert dan.groups == ("Finance, EMEA", "Équipe Paris")
    assert not dan.privileged
    assert users["eve"].last_login == EVE_LOGIN
    assert users["eve"].privileged
    assert users["fay"].last_login is None  # 0x7FFFFFFFFFFFFFFF means never
    assert all(u.mfa_registered is None and u.mfa_enforced is None for u in users.values())


def test_auto_detects_the_flavor_from_entries(slapd: Slapd) -> None:
    ad = _read(slapd, AD)
    assert "Active Directory (detected)" in ad.notes[0]
    assert {a.login_lag_days for a in ad.accounts} == {14}
    openldap = _read(slapd, OPENLDAP)
    assert "OpenLDAP (detected)" in openldap.notes[0]
    assert len(openldap.accounts) == BULK + 6


def test_auto_detects_active_directory_from_the_root_dse(tmp_path: Path) -> None:
    data = _ldif("dc=corp,dc=test", objectClass=["dcObject", "organization"], o="C", dc="corp")
    data += _ldif("uid=x,dc=corp,dc=test", objectClass="inetOrgPerson", uid="x", cn="x", sn="x")
    root_dse = "supportedCapabilities: 1.2.840.113556.1.4.800"
    dbs = [Database("dc=corp,dc=test", data)]
    with running_slapd(tmp_path / "dse", dbs, root_dse=root_dse) as s:
        result = read_ldap(s.url, base_dn="dc=corp,dc=test")
    assert "Active Directory (detected)" in result.notes[0]
    assert result.accounts == ()  # no entry is an AD user
    assert not (tmp_path / "dse").exists()


def test_paging_reads_past_the_servers_size_limit(slapd: Slapd) -> None:
    plain = ldap3.Connection(slapd.url, auto_bind=True)  # anonymous, no paging
    plain.search(OPENLDAP, "(objectClass=inetOrgPerson)", attributes=["uid"])
    assert plain.result["description"] == "sizeLimitExceeded"
    assert len(plain.entries) == ANONYMOUS_LIMIT
    plain.unbind()
    result = _read(slapd, bind_dn=None, page_size=25)
    assert len(result.accounts) == BULK + 6
    assert len(_read(slapd, page_size=7).accounts) == BULK + 6


def test_a_truncated_search_is_an_error(slapd: Slapd) -> None:
    with pytest.raises(ImportFileError, match=r"stopped the search after \d+ entries \(size limit"):
        _read(slapd, bind_dn=f"cn=reader,{SUFFIX}", password="reader-pw", page_size=10)


def test_user_filter_narrows_the_search(slapd: Slapd) -> None:
    assert len(_read(slapd, user_filter="(uid=user00*)").accounts) == 9
    assert len(_read(slapd, user_filter="employeeNumber=E1*").accounts) == BULK
    with pytest.raises(ImportFileError, match="is not a valid LDAP filter"):
        _read(slapd, user_filter="(uid=")


def test_repeated_username_names_both_entries(slapd: Slapd) -> None:
    with pytest.raises(ImportFileError) as caught:
        _read(slapd, f"ou=dupes,{SUFFIX}")
    message = str(caught.value)
    assert f"uid=sam,ou=a,ou=dupes,{SUFFIX}" in message
    assert f"uid=Sam,ou=b,ou=dupes,{SUFFIX}" in message


def test_lastbind_records_a_real_sign_in(slapd: Slapd) -> None:
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    erin = ldap3.Connection(slapd.url, f"uid=erin,{PEOPLE}", "erin-pw")
    assert erin.bind(), erin.result
    erin.unbind()
    last = _by_name(_read(slapd, PEOPLE))["erin"].last_login
    assert last is not None
    assert before <= last <= datetime.now(UTC) + timedelta(seconds=1)


def test_ppolicy_lockout_disables_the_account(slapd: Slapd) -> None:
    assert _by_name(_read(slapd, PEOPLE))["frank"].enabled
    for _ in range(2):
        assert not ldap3.Connection(slapd.url, f"uid=frank,{PEOPLE}", "wrong").bind()
    assert not _by_name(_read(slapd, PEOPLE))["frank"].enabled


def test_wrong_password_is_one_line_without_the_password(slapd: Slapd) -> None:
    secret = "Wr0ng-Pa55word!"
    with pytest.raises(ImportFileError) as caught:
        read_ldap(slapd.url, base_dn=SUFFIX, bind_dn=ROOT_DN, password=secret)
    message = str(caught.value)
    assert "\n" not in message
    assert secret not in message
    assert message.startswith(f"{slapd.url}: bind as {ROOT_DN} was refused")
    assert "check the bind DN and password" in message


def test_unreachable_server(slapd: Slapd) -> None:
    url = f"ldap://127.0.0.1:{free_port()}"
    with pytest.raises(ImportFileError, match="cannot connect") as caught:
        read_ldap(url, base_dn=SUFFIX, bind_dn=ROOT_DN, password=ROOT_PW, timeout=2)
    assert str(caught.value).startswith(url)
    assert ROOT_PW not in str(caught.value)


def test_a_silent_server_times_out_within_the_bound() -> None:
    with socket.socket() as silent:  # accepts the TCP connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"ldap://127.0.0.1:{silent.getsockname()[1]}"
        start = time.monotonic()
        with pytest.raises(ImportFileError, match=r"cannot connect \(timed out\); check the fire"):
            read_ldap(url, base_dn=SUFFIX, timeout=1)
    assert time.monotonic() - start < 5


def test_missing_slapd_skips_unless_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(ldap_server, "SLAPD", tmp_path / "no-slapd")
    monkeypatch.delenv(ldap_server.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="slapd not installed"):
        ldap_server.require_slapd()
    monkeypatch.setenv(ldap_server.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="DATAWARD_REQUIRE_SLAPD=1 requires it"):
        ldap_server.require_slapd()


@pytest.mark.parametrize(
    ("base", "needle"),
    [
        (f"ou=nowhere,{SUFFIX}", "does not exist; check base_dn"),
        ("dc=other,dc=test", "does not exist; check base_dn"),
        ("not a dn", "is not a valid DN"),
    ],
)
def test_bad_base_dn(slapd: Slapd, base: str, needle: str) -> None:
    with pytest.raises(ImportFileError, match=needle) as caught:
        _read(slapd, base)
    assert base in str(caught.value)
    assert "\n" not in str(caught.value)


def test_ldaps_verifies_the_certificate(slapd: Slapd, monkeypatch: pytest.MonkeyPatch) -> None:
    if not slapd.ca_file:
        pytest.skip("openssl not installed: no test certificate")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with pytest.raises(ImportFileError, match="certificate not trusted"):
        read_ldap(slapd.ldaps_url, base_dn=PEOPLE, timeout=5)
    monkeypatch.setenv("SSL_CERT_FILE", str(slapd.ca_file))
    result = read_ldap(slapd.ldaps_url, base_dn=PEOPLE, bind_dn=ROOT_DN, password=ROOT_PW)
    assert len(result.accounts) == BULK + 6


@pytest.mark.parametrize(
    ("url", "kwargs", "needle"),
    [
        ("http://127.0.0.1", {}, "is not an ldap:// or ldaps:// URL"),
        ("ldap://127.0.0.1:99999", {}, "has a bad port"),
        ("ldap://127.0.0.1", {"bind_dn": ROOT_DN}, "has no password"),
        ("ldap://127.0.0.1", {"flavor": "novell"}, "flavor 'novell' is unknown"),
        ("ldap://127.0.0.1", {"page_size": 0}, "must be positive"),
    ],
)
def test_bad_arguments(url: str, kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ImportFileError, match=needle):
        read_ldap(url, base_dn=SUFFIX, **kwargs)  # type: ignore[arg-type]


def test_attribute_helpers() -> None:
    assert filetime(None) is None
    assert filetime(0) is None
    assert filetime(-5) is None
    assert filetime(116_444_736_000_000_000) == datetime(1970, 1, 1, tzinfo=UTC)
    assert filetime(0x7FFFFFFFFFFFFFFF) is None
    assert rdn_value("CN=Smith\\, John,OU=X,DC=corp") == "Smith, John"
    assert rdn_value("cn=J\\C3\\BCrgen+uid=j,dc=x") == "Jürgen"
    assert dn_key("UID=Bob , OU=People,DC=X#'0101'B") == "uid=bob,ou=people,dc=x"
