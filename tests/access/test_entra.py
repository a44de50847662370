"""Entra ID connector: registration details and sign-in logs; MFA registered is not enforced.

Every fixture is written here from Python data; the users are invented at example domains.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dataward.access.engine.connectors.entra import read_entra
from dataward.access.engine.types import Account, ImportFileError

IP = "203.0.113.77"
IDS = {
    name: f"{n:08d}-0000-4000-8000-{n:012d}"
    for n, name in enumerate(("alice", "bob", "carol", "dave", "erin", "frank", "grace", "mallory"))
}


def upn(name: str) -> str:
    return f"{name}@fabrikam.example" if name == "dave" else f"{name}@contoso.example"


def reg(name: str, *, registered: bool = True, admin: bool = False, **extra: Any) -> dict[str, Any]:
    """One userRegistrationDetails record as Graph returns it."""
    return {
        "id": IDS[name],
        "userPrincipalName": upn(name),
        "userDisplayName": name.title() + " Example",
        "userType": "member",
        "isAdmin": admin,
        "isMfaCapable": registered,
        "isMfaRegistered": registered,
        "isPasswordlessCapable": False,
        "isSsprRegistered": registered,
        "isSsprCapable": registered,
        "methodsRegistered": ["microsoftAuthenticatorPush"] if registered else [],
        "defaultMfaMethod": "microsoftAuthenticatorPush" if registered else "none",
        "lastUpdatedDateTime": "2026-11-01T00:00:00Z",
        **extra,
    }


def signin(
    name: str, when: str, *, mfa: bool = True, ok: bool = True, interactive: bool = True
) -> dict[str, Any]:
    """One signIn record as Graph returns it."""
    return {
        "id": f"req-{name}-{when}",
        "createdDateTime": when,
        "userPrincipalName": upn(name),
        "userDisplayName": name.title() + " Example",
        "userId": IDS[name],
        "appDisplayName": "Office 365 Exchange Online",
        "ipAddress": IP,
        "isInteractive": interactive,
        "status": {
            "errorCode": 0 if ok else 50126,
            "failureReason": "Other." if ok else "Invalid username or password.",
        },
        "authenticationRequirement": "multiFactorAuthentication"
        if mfa
        else "singleFactorAuthentication",
        "conditionalAccessStatus": "success" if ok else "notApplied",
        "authenticationDetails": [],
    }


REGISTRATIONS = [
    reg("alice", admin=True),
    reg("bob"),
    reg("carol", registered=False),
    reg("erin"),
    reg("frank"),
    reg("grace"),
]
SIGNINS = [
    # alice: registered, every sign-in with MFA
    signin("alice", "2026-11-20T08:00:00Z"),
    signin("alice", "2026-11-25T09:30:00Z"),
    # bob: registered, but 3 of 5 successful interactive sign-ins single-factor
    signin("bob", "2026-11-21T08:00:00Z"),
    signin("bob", "2026-11-21T09:00:00Z", mfa=False),
    signin("bob", "2026-11-22T09:00:00Z", mfa=False),
    signin("bob", "2026-11-23T09:00:00Z"),
    signin("bob", "2026-11-24T09:00:00Z", mfa=False),
    # carol: not registered, signs in with a password only
    signin("carol", "2026-11-22T10:00:00Z", mfa=False),
    # dave: in the sign-ins only
    signin("dave", "2026-11-26T07:15:00Z"),
    # erin: a later failed single-factor attempt changes nothing
    signin("erin", "2026-11-24T10:00:00Z"),
    signin("erin", "2026-11-24T12:00:00Z", mfa=False, ok=False),
    # frank: a later non-interactive single-factor refresh sets last login, not enforcement
    signin("frank", "2026-11-27T08:00:00Z"),
    signin("frank", "2026-11-27T14:00:00Z", mfa=False, interactive=False),
    # mallory: only failed attempts
    signin("mallory", "2026-11-27T03:00:00Z", mfa=False, ok=False),
]
BOB_NOTE = "bob@contoso.example: MFA registered but 3 of 5 successful interactive sign-ins were single-factor"  # noqa: E501
FAILED_NOTE = "1 user name(s) only in failed sign-ins: not taken as accounts"
EXPECTED = {  # username: (mfa_registered, mfa_enforced, last_login, privileged)
    "alice@contoso.example": (True, True, datetime(2026, 11, 25, 9, 30, tzinfo=UTC), True),
    "bob@contoso.example": (True, False, datetime(2026, 11, 24, 9, tzinfo=UTC), False),
    "carol@contoso.example": (False, False, datetime(2026, 11, 22, 10, tzinfo=UTC), False),
    "erin@contoso.example": (True, True, datetime(2026, 11, 24, 10, tzinfo=UTC), False),
    "frank@contoso.example": (True, True, datetime(2026, 11, 27, 14, tzinfo=UTC), False),
    "grace@contoso.example": (True, None, None, False),
    "dave@fabrikam.example": (None, True, datetime(2026, 11, 26, 7, 15, tzinfo=UTC), False),
}


def summary(accounts: tuple[Account, ...]) -> dict[str, tuple[Any, ...]]:
    return {
        a.username: (a.mfa_registered, a.mfa_enforced, a.last_login, a.privileged) for a in accounts
    }


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig"):
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


REG_HEADER = [
    "User principal name", "User display name", "User type", "Admin",
    "Multifactor authentication capable", "Multifactor authentication registered",
    "Methods registered", "Default multifactor authentication method", "Object ID",
]  # fmt: skip


def reg_csv(path: Path, records: list[dict[str, Any]]) -> Path:
    """The registration details as the admin center download might word them."""
    rows = [
        [
            r["userPrincipalName"],
            r["userDisplayName"],
            r["userType"],
            "Yes" if r["isAdmin"] else "No",
            "Capable" if r["isMfaCapable"] else "Not Capable",
            "Registered" if r["isMfaRegistered"] else "Not Registered",
            ", ".join(r["methodsRegistered"]),
            r["defaultMfaMethod"],
            r["id"],
        ]  # fmt: skip
        for r in records
    ]
    return write_csv(path, REG_HEADER, rows)


SIGNIN_HEADER = [
    "Date (UTC)", "Request ID", "User agent", "Correlation ID", "User ID", "User", "Username",
    "User type", "Application", "Application ID ", "Resource", "IP address", "Location",
    "Status", "Sign-in error code", "Failure reason", "Client app",
    "Multifactor authentication result", "Multifactor authentication auth method",
    "Authentication requirement", "Conditional Access",
]  # fmt: skip


def signin_csv(path: Path, records: list[dict[str, Any]]) -> Path:
    """Sign-ins as the admin center's CSV download words them (no interactivity column)."""
    rows = [
        [
            r["createdDateTime"],
            r["id"],
            "Mozilla/5.0",
            "corr-1",
            r["userId"],
            r["userDisplayName"],
            r["userPrincipalName"],
            "Member",
            r["appDisplayName"],
            "00000002-0000-0ff1-ce00-000000000000",
            "Office 365 Exchange Online",
            r["ipAddress"],
            "Manila, Metro Manila, PH",
            "Success" if r["status"]["errorCode"] == 0 else "Failure",
            str(r["status"]["errorCode"]),
            r["status"]["failureReason"],
            "Browser",
            "MFA completed in Azure AD"
            if r["authenticationRequirement"].startswith("multi")
            else "",
            "Mobile app notification",
            "Multifactor authentication"
            if r["authenticationRequirement"].startswith("multi")
            else "Single-factor authentication",
            "Success",
        ]  # fmt: skip
        for r in records
    ]
    return write_csv(path, SIGNIN_HEADER, rows)


def check(result: Any) -> None:
    assert result.kind == "entra"
    assert summary(result.accounts) == EXPECTED
    assert result.notes == (BOB_NOTE, FAILED_NOTE)
    assert not any(IP in note or "203.0.113" in note for note in result.notes)


def test_graph_json_registration_and_signins(tmp_path: Path) -> None:
    result = read_entra(
        [
            write_json(tmp_path / "reg.json", {"value": REGISTRATIONS}),
            write_json(tmp_path / "signins.json", {"value": SIGNINS}),
        ]
    )
    check(result)
    alice = result.accounts[0]
    assert alice.username == "alice@contoso.example"
    assert alice.email == "alice@contoso.example"
    assert alice.display_name == "Alice Example"
    assert alice.aliases == (IDS["alice"],)
    assert alice.enabled is True
    assert alice.last_login is not None
    assert alice.last_login.tzinfo == UTC
    dave = next(a for a in result.accounts if a.username.startswith("dave"))
    assert dave.aliases == (IDS["dave"],)
    assert dave.display_name == "Dave Example"


def test_admin_center_csv_downloads(tmp_path: Path) -> None:
    interactive = [s for s in SIGNINS if s["isInteractive"]]
    background = [s for s in SIGNINS if not s["isInteractive"]]
    result = read_entra(
        [
            reg_csv(tmp_path / "UserRegistrationDetails_2026-11-28.csv", REGISTRATIONS),
            signin_csv(tmp_path / "InteractiveSignIns_2026-11-20_2026-11-28.csv", interactive),
            signin_csv(tmp_path / "NonInteractiveSignIns_2026-11-20_2026-11-28.csv", background),
        ]
    )
    check(result)
    assert result.accounts[0].aliases == (IDS["alice"],)


def test_files_are_recognised_by_content_not_name(tmp_path: Path) -> None:
    result = read_entra(
        [
            signin_csv(tmp_path / "a.txt", [s for s in SIGNINS if s["isInteractive"]]),
            write_json(tmp_path / "b.csv", [s for s in SIGNINS if not s["isInteractive"]]),
            write_json(tmp_path / "c.dat", REGISTRATIONS),
        ]
    )
    check(result)


def test_mixed_json_and_csv(tmp_path: Path) -> None:
    result = read_entra(
        [
            write_json(tmp_path / "signins.json", SIGNINS),
            reg_csv(tmp_path / "registration.csv", REGISTRATIONS),
        ]
    )
    check(result)


def test_short_mfa_registered_columns(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "reg.csv",
        ["User principal name", "User display name", "Admin", "MFA capable", "MFA registered"],
        [
            ["alice@contoso.example", "Alice Example", "True", "True", "True"],
            ["carol@contoso.example", "Carol Example", "False", "False", "False"],
        ],
    )
    accounts = read_entra([path]).accounts
    assert [(a.username, a.mfa_registered, a.privileged) for a in accounts] == [
        ("alice@contoso.example", True, True),
        ("carol@contoso.example", False, False),
    ]
    assert all(a.mfa_enforced is None and a.last_login is None for a in accounts)


def pages(records: list[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    chunks = [records[i : i + size] for i in range(0, len(records), size)]
    base = "https://graph.microsoft.com/v1.0/auditLogs/signIns?$skiptoken="
    return [
        {"@odata.context": "x", "value": chunk}
        | ({"@odata.nextLink": f"{base}{n}"} if n < len(chunks) - 1 else {})
        for n, chunk in enumerate(chunks)
    ]


@pytest.mark.parametrize("layout", ["concatenated", "one-per-line", "list-of-pages"])
def test_paged_graph_json(tmp_path: Path, layout: str) -> None:
    files = []
    for name, records in (("reg", REGISTRATIONS), ("signins", SIGNINS)):
        paged = pages(records, 4)
        path = tmp_path / f"{name}.json"
        if layout == "concatenated":
            path.write_text("".join(json.dumps(p, indent=2) for p in paged), encoding="utf-8")
        elif layout == "one-per-line":
            path.write_text("\n".join(json.dumps(p) for p in paged) + "\n", encoding="utf-8")
        else:
            write_json(path, paged)
        files.append(path)
    check(read_entra(files))


def test_is_admin_and_privileged_roles(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "reg.json",
        {
            "value": [
                reg("alice", admin=True),
                reg("bob", roles=["Helpdesk Administrator"]),
                reg("carol", roles=[{"displayName": "Reports Reader"}]),
            ]
        },
    )
    plain = {a.username: a.privileged for a in read_entra([path]).accounts}
    assert plain == {
        "alice@contoso.example": True,
        "bob@contoso.example": False,
        "carol@contoso.example": False,
    }
    named = read_entra([path], privileged_roles=["helpdesk administrator"]).accounts
    assert [(a.privileged, a.groups) for a in named] == [
        (True, ()),
        (True, ("Helpdesk Administrator",)),
        (False, ("Reports Reader",)),
    ]


def test_capable_implies_registered_and_powershell_casing(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "reg.json",
        [
            {"UserPrincipalName": "Alice@Contoso.example", "IsMfaCapable": True, "IsAdmin": False},
            {"userPrincipalName": "bob@contoso.example", "isMfaCapable": False, "mail": "B@X.EX"},
        ],
    )
    accounts = read_entra([path]).accounts
    assert [(a.username, a.email, a.mfa_registered) for a in accounts] == [
        ("Alice@Contoso.example", "alice@contoso.example", True),
        ("bob@contoso.example", "b@x.ex", None),
    ]


def test_interactivity_column_and_error_code_only(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "signins.csv",
        ["Date (UTC)", "Username", "Sign-in error code", "Authentication requirement",
         "Is interactive"],
        [
            ["2026-11-20T08:00:00Z", "erin@contoso.example", "0", "Multifactor authentication",
             "true"],
            ["2026-11-21T08:00:00Z", "erin@contoso.example", "0", "Single-factor authentication",
             "false"],
            ["2026-11-22T08:00:00Z", "erin@contoso.example", "50126",
             "Single-factor authentication", "true"],
        ],
    )  # fmt: skip
    (erin,) = read_entra([path]).accounts
    assert (erin.mfa_registered, erin.mfa_enforced) == (None, True)
    assert erin.last_login == datetime(2026, 11, 21, 8, tzinfo=UTC)


def test_signin_csv_streams_without_reading_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [signin("bob", f"2026-11-{d:02d}T09:00:00Z", mfa=d % 2 == 0) for d in range(1, 29)]
    path = signin_csv(tmp_path / "signins.csv", records)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the sign-in log was read whole")

    monkeypatch.setattr(Path, "read_text", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    (bob,) = read_entra([path]).accounts
    assert (bob.mfa_registered, bob.mfa_enforced) == (None, False)
    assert bob.last_login == datetime(2026, 11, 28, 9, tzinfo=UTC)


def test_a_sign_in_csv_saved_in_a_windows_code_page_still_reads(tmp_path: Path) -> None:
    record = signin("carol", "2026-11-22T10:00:00Z") | {"userDisplayName": "Carol Muñoz"}
    path = signin_csv(tmp_path / "signins.csv", [record])
    path.write_bytes(path.read_bytes().decode("utf-8-sig").encode("cp1252"))
    (carol,) = read_entra([path]).accounts
    assert (carol.username, carol.mfa_enforced) == ("carol@contoso.example", True)


def error(paths: list[Path]) -> str:
    with pytest.raises(ImportFileError) as caught:
        read_entra(paths)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_bad_boolean_in_json_names_record_and_field(tmp_path: Path) -> None:
    path = write_json(tmp_path / "reg.json", {"value": [reg("alice"), reg("bob", isAdmin="maybe")]})
    message = error([path])
    assert f"{path} record 2" in message
    assert "'isAdmin'" in message
    assert "maybe" in message


def test_bad_timestamp_in_json_names_record_and_field(tmp_path: Path) -> None:
    bad = signin("bob", "2026-11-21T09:00:00Z") | {"createdDateTime": "last Tuesday"}
    path = write_json(tmp_path / "signins.json", {"value": [*SIGNINS[:2], bad]})
    message = error([path])
    assert f"{path} record 3" in message
    assert "'createdDateTime'" in message


def test_bad_error_code_in_json(tmp_path: Path) -> None:
    bad = signin("bob", "2026-11-21T09:00:00Z") | {"status": {"errorCode": "oops"}}
    path = write_json(tmp_path / "signins.json", [bad])
    message = error([path])
    assert f"{path} record 1" in message
    assert "'status.errorCode'" in message


def test_bad_date_in_csv_names_row_and_field(tmp_path: Path) -> None:
    records = SIGNINS[:3]
    path = signin_csv(tmp_path / "signins.csv", records)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace("2026-11-25T09:30:00Z", "25/11/2026 9.30")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = error([path])
    assert f"{path} row 3" in message
    assert "'date'" in message


def test_bad_requirement_and_status_in_csv(tmp_path: Path) -> None:
    path = signin_csv(tmp_path / "signins.csv", SIGNINS[:2])
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("Multifactor authentication,", "Sometimes,", 1), encoding="utf-8")
    message = error([path])
    assert f"{path} row 2" in message
    assert "'requirement'" in message
    path.write_text(text.replace(",Success,0,", ",Maybe,0,", 1), encoding="utf-8")
    message = error([path])
    assert f"{path} row 2" in message
    assert "'status'" in message


def test_bad_flag_in_registration_csv(tmp_path: Path) -> None:
    path = reg_csv(tmp_path / "reg.csv", REGISTRATIONS[:2])
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace(",No,", ",Perhaps,", 1), encoding="utf-8")
    message = error([path])
    assert f"{path} row 3" in message
    assert "'admin'" in message


def test_the_same_user_registered_twice_is_an_error(tmp_path: Path) -> None:
    first = write_json(tmp_path / "reg.json", [reg("alice")])
    second = reg_csv(tmp_path / "reg.csv", [reg("alice")])
    message = error([first, second])
    assert "alice@contoso.example repeats" in message
    assert f"{second} row 2" in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("prices.csv", "Name,Price\nWidget,3\n"),
        ("users.json", json.dumps({"value": [{"displayName": "Alice", "mail": "a@x.example"}]})),
        ("notes.txt", "just some words\n"),
        ("empty.csv", ""),
    ],
)
def test_unknown_format_names_the_file_and_the_accepted_formats(
    tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    message = error([path])
    assert str(path) in message
    assert "is not a recognised Entra ID export" in message
    assert "userRegistrationDetails" in message
    assert "Sign-in logs" in message


def test_missing_file_and_broken_json(tmp_path: Path) -> None:
    assert "file not found" in error([tmp_path / "nope.json"])
    broken = tmp_path / "broken.json"
    broken.write_text('{"value": [', encoding="utf-8")
    assert f"{broken}: is not valid JSON" in error([broken])


def test_an_empty_graph_page_gives_nothing(tmp_path: Path) -> None:
    result = read_entra([write_json(tmp_path / "empty.json", {"value": []})])
    assert result.accounts == ()
    assert result.notes == ()
