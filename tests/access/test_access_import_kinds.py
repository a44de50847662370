"""Each directory connector through the CLI: SCIM files, Entra exports and a real LDAP server."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pytest

from access.ldap_server import Database, running_slapd
from helpers import assert_one_line_error

SUFFIX = "dc=corp,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"


@pytest.fixture
def roster_ws(ws_root: Path, cli, estate: Path) -> Path:  # type: ignore[no-untyped-def]
    w = str(ws_root)
    assert cli("clients", "import", str(estate / "clients.json"), "-w", w).code == 0
    assert cli("access", "import", "hr", str(estate / "hr/hr_roster.csv"), "-w", w).code == 0
    return ws_root


def _accounts(cli, ws: Path) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    result = cli("access", "accounts", "-f", "json", "-w", str(ws))
    assert result.code == 0, result
    return {(r["source"], r["username"]): r for r in json.loads(result.out)}  # type: ignore[misc]


def test_scim_users_and_groups(cli, roster_ws: Path, estate: Path) -> None:
    users, groups = estate / "directory/scim_users.json", estate / "directory/scim_groups.json"
    result = cli(
        "access", "import", "scim", str(users), str(groups), "-f", "json", "-w", str(roster_ws)
    )
    assert result.code == 0, result
    assert json.loads(result.out)[0]["rows"] == 61
    accounts = _accounts(cli, roster_ws)
    linked = [a for a in accounts.values() if a["link"] == "employee_id"]
    assert len(linked) == 60
    shared = accounts[("scim", "carewell.shared01@meridiancs.com")]
    assert shared["link"] == "none"
    admins = {a["username"] for a in accounts.values() if a["privileged"]}
    assert len(admins) == 4  # the Domain Admins group


def _directory_row(estate: Path, username: str) -> dict[str, str]:
    with (estate / "directory/directory_users.csv").open() as fh:
        return next(r for r in csv.DictReader(fh) if r["username"] == username)


def test_entra_mfa_registered_but_not_enforced(
    cli, roster_ws: Path, estate: Path, tmp_path: Path
) -> None:
    w = str(roster_ws)
    assert (
        cli(
            "access", "import", "directory", str(estate / "directory/directory_users.csv"), "-w", w
        ).code
        == 0
    )
    admin = _directory_row(estate, "zjohnson")["email"]
    reg = tmp_path / "registration.json"
    reg.write_text(
        json.dumps(
            {
                "value": [
                    {
                        "id": "u1",
                        "userPrincipalName": admin,
                        "userDisplayName": "Z J",
                        "isAdmin": True,
                        "isMfaRegistered": True,
                        "isMfaCapable": True,
                        "methodsRegistered": ["microsoftAuthenticatorPush"],
                    },
                ]
            }
        )
    )
    signins = tmp_path / "signins.json"
    signins.write_text(
        json.dumps(
            {
                "value": [
                    {
                        "createdDateTime": "2026-11-27T08:00:00Z",
                        "userPrincipalName": admin,
                        "userId": "u1",
                        "isInteractive": True,
                        "status": {"errorCode": 0},
                        "authenticationRequirement": "singleFactorAuthentication",
                    },
                ]
            }
        )
    )
    result = cli("access", "import", "entra", str(reg), str(signins), "-w", w)
    assert result.code == 0, result
    assert "MFA registered but" in result.err
    entra = _accounts(cli, roster_ws)[("entra", admin)]
    assert (entra["mfa_registered"], entra["mfa_enforced"], entra["privileged"]) == (
        True,
        False,
        True,
    )
    rows = json.loads(cli("access", "violations", "-f", "json", "-w", w).out)
    flagged = {(r["client"], r["subject"]): r["summary"] for r in rows}
    # The directory claims MFA is enforced; the sign-in log shows a password-only sign-in.
    summary = flagged[("operation", "zjohnson")]
    assert summary == "privileged account zjohnson: MFA registered but not enforced (per entra)"
    assert ("operation", admin) not in flagged  # the same person, reported once


def _ldif(estate: Path) -> str:
    out = f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Corp\ndc: corp\n\n"
    out += f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n\n"
    for username in ("klawrence", "jsalazar"):
        row = _directory_row(estate, username)
        out += (
            f"dn: uid={username},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {username}\n"
            f"cn: {row['display_name']}\nsn: x\nmail: {row['email']}\n"
            f"employeeNumber: {row['employee_id']}\n\n"
        )
    kiosk = f"dn: uid=kiosk01,ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: kiosk01\n"
    out += kiosk + "cn: Kiosk\nsn: k\n\n"
    return out


@pytest.mark.ldap
def test_ldap_import_with_the_password_from_the_environment(
    cli, roster_ws: Path, estate: Path, tmp_path: Path
) -> None:
    db = Database(SUFFIX, _ldif(estate))
    with running_slapd(Path(tempfile.mkdtemp(prefix="dw-slapd-")), [db]) as server:
        from access.ldap_server import ROOT_PW

        w = str(roster_ws)
        args = [
            "access",
            "import",
            "ldap",
            server.url,
            "--base-dn",
            SUFFIX,
            "--bind-dn",
            ROOT_DN,
            "--password-env",
            "CORP_LDAP_PW",
            "-f",
            "json",
            "-w",
            w,
        ]
        result = cli(*args, CORP_LDAP_PW=ROOT_PW)
        assert result.code == 0, result
        assert json.loads(result.out)[0]["rows"] == 3
        secret = tmp_path / "pw"
        secret.write_text("not-the-password\n")
        wrong = cli(
            "access",
            "import",
            "ldap",
            server.url,
            "--base-dn",
            SUFFIX,
            "--bind-dn",
            ROOT_DN,
            "--password-file",
            str(secret),
            "-w",
            w,
        )
        assert_one_line_error(wrong, server.url.split("//")[1])
        assert "not-the-password" not in wrong.err
    accounts = _accounts(cli, roster_ws)
    assert accounts[("ldap", "klawrence")]["link"] == "employee_id"
    assert accounts[("ldap", "kiosk01")]["link"] == "none"
    assert_one_line_error(
        cli("access", "import", "ldap", "ldap://127.0.0.1:1", "-w", str(roster_ws)), "--base-dn"
    )
