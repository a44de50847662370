"""Read Microsoft Entra ID exports: authentication-methods registration details and sign-in logs.

MFA *registered* (a strong method is on file) and MFA *enforced* (every successful interactive
sign-in in the export required MFA) are kept apart: a registered method no policy asks for
protects nothing. Each file is recognised by its content, never by its name.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dataward.access.engine.types import Account, ImportFileError, ImportResult
from dataward.core.engine.tabular import FALSE, TRUE, Row, norm, quoted, read_rows

ACCEPTED = (
    "give the Microsoft Graph userRegistrationDetails or signIns JSON, or the CSV the Entra admin "
    "center downloads from Authentication methods > User registration details or Sign-in logs"
)
REG_COLUMNS = {
    "username": ("user principal name", "userprincipalname", "upn"),
    "display_name": ("user display name", "userdisplayname", "display name", "name", "user"),
    "user_id": ("id", "object id", "objectid", "user id", "userid"),
    "email": ("mail", "email address"),
    "admin": ("is admin", "isadmin"),
    "mfa_registered": ("multifactor authentication registered", "ismfaregistered",
                       "multi-factor authentication registered", "mfa registration"),
    "mfa_capable": ("multifactor authentication capable", "multi-factor authentication capable",
                    "ismfacapable"),
    "methods_registered": ("methodsregistered", "registered methods", "authentication methods"),
    "roles": ("directory roles", "admin roles", "assigned roles", "role"),
}  # fmt: skip
SIGNIN_COLUMNS = {
    "username": ("user principal name", "userprincipalname", "upn"),
    "date": ("date (utc)", "created date time", "createddatetime", "timestamp", "time generated",
             "timegenerated"),
    "display_name": ("user", "user display name", "userdisplayname"),
    "user_id": ("user id", "userid", "object id"),
    "status": ("sign-in status", "result"),
    "error_code": ("sign-in error code", "error code", "errorcode"),
    "requirement": ("authentication requirement", "authenticationrequirement"),
    "interactive": ("is interactive", "isinteractive", "sign-in event types", "signineventtypes",
                    "sign-in type"),
}  # fmt: skip
REG_JSON_KEYS = {"ismfaregistered", "ismfacapable", "methodsregistered", "defaultmfamethod"}
_YES = TRUE | {"capable", "registered"}
_NO = (FALSE - {""}) | {"not capable", "not registered", "notcapable", "notregistered"}
_SPACE = re.compile(r"\s*")
_INT = re.compile(r"-?\d+")
_SIGNIN_HEADS = {f: [norm(s) for s in (f, *sp)] for f, sp in SIGNIN_COLUMNS.items()}
DATE_HEADS = set(_SIGNIN_HEADS["date"])
RESULT_HEADS = {*_SIGNIN_HEADS["status"], *_SIGNIN_HEADS["error_code"]}
REG_MARKERS = {norm(s) for f in ("mfa_registered", "mfa_capable", "methods_registered")
               for s in (f, *REG_COLUMNS[f])}  # fmt: skip


@dataclass(frozen=True)
class _SignIn:
    """One sign-in event, reduced to what the account record needs."""

    upn: str
    display_name: str
    user_id: str
    when: datetime
    success: bool
    interactive: bool
    mfa: bool | None


@dataclass
class _User:
    """What the exports say about one user; ``reg_where`` is set once registration is read."""

    upn: str
    display_name: str = ""
    email: str = ""
    ids: list[str] = field(default_factory=list)
    registered: bool | None = None
    admin: bool = False
    roles: tuple[str, ...] = ()
    reg_where: str = ""
    row: int = 0
    mfa: int = 0
    single: int = 0
    last: datetime | None = None


def read_entra(paths: Sequence[Path], privileged_roles: Iterable[str] = ()) -> ImportResult:
    """Read Entra exports into one account per user (keyed by lower-case userPrincipalName).

    ``mfa_registered`` comes from the registration details (None for a user seen only in
    sign-ins). ``mfa_enforced`` is True when every successful interactive sign-in required MFA,
    False when at least one was single-factor, None when there is none to judge. A user seen
    only in failed sign-ins is not taken as an account (it may be a mistyped or sprayed name).
    Directory roles, where an export lists them, become the account's groups.
    """
    users: dict[str, _User] = {}
    for path in paths:
        _read_file(path, users)
    wanted = {r.strip().lower() for r in privileged_roles if r.strip()}
    accounts: list[Account] = []
    notes: list[str] = []
    for user in users.values():
        if not user.reg_where and user.last is None:
            continue
        total = user.mfa + user.single
        enforced = None if total == 0 else user.single == 0
        privileged = user.admin or any(r.lower() in wanted for r in user.roles)
        accounts.append(
            Account(
                username=user.upn, email=(user.email or user.upn).lower(),
                display_name=user.display_name, mfa_registered=user.registered,
                mfa_enforced=enforced, last_login=user.last, groups=user.roles,
                privileged=privileged, aliases=tuple(user.ids), row=user.row,
            )
        )  # fmt: skip
        if user.registered and enforced is False:
            notes.append(
                f"{user.upn}: MFA registered but {user.single} of {total} successful "
                "interactive sign-ins were single-factor"
            )
    if skipped := len(users) - len(accounts):
        notes.append(f"{skipped} user name(s) only in failed sign-ins: not taken as accounts")
    return ImportResult("entra", accounts=tuple(accounts), notes=tuple(notes))


def _read_file(path: Path, users: dict[str, _User]) -> None:
    """Recognise one file by its content and fold its records into ``users``."""
    if not path.is_file():
        raise ImportFileError("file not found", str(path), "check the path")
    with path.open("rb") as fh:
        head = fh.read(4096).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if head[:1] in ("{", "["):
        _read_json(path, users)
    elif not _read_signins_csv(path, users):
        for row in read_rows(path, REG_COLUMNS, ("username",)):
            _register(users, _reg_row(row))


def _read_signins_csv(path: Path, users: dict[str, _User]) -> bool:
    """Fold a sign-in CSV into ``users`` row by row (bounded memory); False if it is not one.

    A file whose header names the registration columns is left to ``tabular.read_rows``;
    one that is neither is an error. Undecodable bytes (the admin center writes UTF-8) are
    replaced: they can only touch display names, not the timestamps or results read here.
    """
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        sample = fh.read(8192)
        fh.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(fh, dialect)
        try:
            header = [norm(h) for h in next(reader, [])]
            if REG_MARKERS & set(header):
                return False
            if not (DATE_HEADS & set(header) and RESULT_HEADS & set(header)):
                raise ImportFileError("is not a recognised Entra ID export", str(path), ACCEPTED)
            default = "noninteractive" not in path.name.lower().replace("-", "")
            found = {f: [h for h in heads if h in header] for f, heads in _SIGNIN_HEADS.items()}
            index = {f: header.index(heads[0]) for f, heads in found.items() if heads}
            if "username" not in index:
                raise ImportFileError("has no 'Username' column", str(path), "download it again")
            for number, cells in enumerate(reader, start=2):
                if any(c.strip() for c in cells):
                    values = {f: cells[i] if i < len(cells) else "" for f, i in index.items()}
                    _tally(users, _signin_row(Row(str(path), number, values), default))
        except csv.Error as exc:
            raise ImportFileError(f"is not valid CSV ({exc})", str(path), "re-export it") from None
    return True


def _read_json(path: Path, users: dict[str, _User]) -> None:
    """Fold a Graph JSON export into ``users``; the kind is told by the first record's fields."""
    if not (records := _json_records(path)):
        return
    first = records[0]
    if REG_JSON_KEYS & first.keys():
        for n, rec in enumerate(records, start=1):
            _register(users, _reg_json(rec, f"{path} record {n}", n))
    elif "createddatetime" in first and {"status", "authenticationrequirement"} & first.keys():
        for n, rec in enumerate(records, start=1):
            _tally(users, _signin_json(rec, f"{path} record {n}"))
    else:
        raise ImportFileError("is not a recognised Entra ID export", str(path), ACCEPTED)


def _json_records(path: Path) -> list[dict[str, Any]]:
    """Return every record of a JSON export with lower-case keys; the file is loaded whole.

    Accepts a Graph page (``{"value": [...]}``), a bare list of records, a list of pages, and
    several pages written one after another (an ``@odata.nextLink`` set concatenated).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("is not UTF-8 JSON", str(path), "export it again as JSON") from None
    decoder = json.JSONDecoder()
    found: list[Any] = []
    pos = 0
    while (pos := _SPACE.match(text, pos).end()) < len(text):  # type: ignore[union-attr]
        try:
            doc, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"is not valid JSON ({exc})", str(path), ACCEPTED) from None
        except RecursionError:
            raise ImportFileError("nests too deeply to be JSON", str(path), ACCEPTED) from None
        for item in doc if isinstance(doc, list) else [doc]:
            page = item.get("value") if isinstance(item, dict) else None
            found.extend(page if isinstance(page, list) else [item])
    for n, item in enumerate(found, start=1):
        if not isinstance(item, dict):
            raise ImportFileError("is not a JSON object", f"{path} record {n}", ACCEPTED)
    return [_lower(item) for item in found]


def _lower(record: dict[str, Any]) -> dict[str, Any]:
    """Return a record with lower-case keys (Graph writes camelCase, PowerShell PascalCase)."""
    return {str(k).lower(): v for k, v in record.items()}


def _text(value: object) -> str:
    """Return a JSON scalar as stripped text (None as empty)."""
    return "" if value is None else str(value).strip()


def _flag(value: object, name: str, where: str) -> bool | None:
    """Return a yes/no value (JSON bool or export text such as Capable); empty gives None."""
    if isinstance(value, bool) or value is None:
        return value
    text = " ".join(str(value).lower().replace("-", " ").split())
    if not text or text in _YES | _NO:
        return text in _YES if text else None
    raise ImportFileError(
        f"field {name!r} is {quoted(str(value))}, not true/false", where, "write true/false"
    )


def _moment(value: object, name: str, where: str) -> datetime:
    """Return an ISO 8601 timestamp as an aware UTC datetime (no offset means UTC)."""
    text = _text(value)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ImportFileError(
            f"field {name!r} is {quoted(text)}, not a timestamp", where, "use ISO 8601"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _requirement(value: object, name: str, where: str) -> bool | None:
    """Return True for multifactor, False for single-factor, None when not stated."""
    text = re.sub(r"[^a-z]", "", _text(value).lower())
    if text.startswith(("multifactor", "singlefactor")) or not text:
        return text.startswith("multifactor") if text else None
    raise ImportFileError(
        f"field {name!r} is {quoted(str(value))}, not single/multifactor", where, "fix it"
    )


def _roles(value: object) -> tuple[str, ...]:
    """Return role names from a list of names or of objects with a displayName."""
    items = value if isinstance(value, list) else [value] if value else []
    names = [_text(_lower(v).get("displayname") if isinstance(v, dict) else v) for v in items]
    return tuple(dict.fromkeys(n for n in names if n))


def _reg_json(rec: dict[str, Any], where: str, n: int) -> _User:
    """Return one userRegistrationDetails record (isMfaCapable implies registered)."""
    upn = _text(rec.get("userprincipalname"))
    if not upn:
        raise ImportFileError("has no userPrincipalName", where, "export that property")
    registered = _flag(rec.get("ismfaregistered"), "isMfaRegistered", where)
    capable = _flag(rec.get("ismfacapable"), "isMfaCapable", where)
    uid = _text(rec.get("id"))
    return _User(
        upn, _text(rec.get("userdisplayname")), _text(rec.get("mail")).lower(),
        ids=[uid] if uid else [],
        registered=True if registered is None and capable else registered,
        admin=bool(_flag(rec.get("isadmin"), "isAdmin", where)),
        roles=_roles(rec.get("roles")), reg_where=where, row=n,
    )  # fmt: skip


def _reg_row(row: Row) -> _User:
    """Return one row of the admin center's User registration details CSV."""
    where = f"{row.path} row {row.number}"
    registered = _flag(row.text("mfa_registered"), "mfa_registered", where)
    capable = _flag(row.text("mfa_capable"), "mfa_capable", where)
    uid = row.text("user_id")
    return _User(
        row.text("username", required=True), row.text("display_name"),
        row.text("email").lower(), ids=[uid] if uid else [],
        registered=True if registered is None and capable else registered,
        admin=bool(_flag(row.text("admin"), "admin", where)),
        roles=row.items("roles"), reg_where=where, row=row.number,
    )  # fmt: skip


def _signin_json(rec: dict[str, Any], where: str) -> _SignIn:
    """Return one Graph signIn record; without isInteractive it is interactive, as v1.0 lists."""
    upn = _text(rec.get("userprincipalname"))
    if not upn:
        raise ImportFileError("has no userPrincipalName", where, "export that property")
    status = rec.get("status")
    code = _text(_lower(status).get("errorcode") if isinstance(status, dict) else None)
    if not _INT.fullmatch(code):
        raise ImportFileError(
            f"field 'status.errorCode' is {quoted(code)}, not a number", where, "0 is success"
        )
    interactive = _flag(rec.get("isinteractive"), "isInteractive", where)
    if interactive is None:
        kinds = rec.get("signineventtypes")
        kinds = kinds if isinstance(kinds, list) else []
        interactive = "interactiveUser" in kinds or "nonInteractiveUser" not in kinds
    return _SignIn(
        upn, _text(rec.get("userdisplayname")), _text(rec.get("userid")),
        when=_moment(rec.get("createddatetime"), "createdDateTime", where),
        success=int(code) == 0, interactive=interactive,
        mfa=_requirement(rec.get("authenticationrequirement"), "authenticationRequirement", where),
    )  # fmt: skip


def _signin_row(row: Row, default: bool) -> _SignIn:
    """Return one row of the admin center's sign-in log CSV.

    The admin center writes interactive and non-interactive sign-ins to separate files with
    the same columns: without an interactivity column a row takes ``default``, which the
    caller sets False for a file named NonInteractive (the one place a name is read).
    """
    where = f"{row.path} row {row.number}"
    when = row.moment("date")
    if when is None:
        raise row.error("date", "is empty", "every sign-in needs its date")
    text = row.text("interactive")
    kind = re.sub(r"[^a-z]", "", text.lower())
    if "interactive" in kind or not kind:
        interactive = "noninteractive" not in kind and (bool(kind) or default)
    else:
        interactive = bool(_flag(text, "interactive", where))
    return _SignIn(
        row.text("username", required=True), row.text("display_name"), row.text("user_id"),
        when=when, success=_succeeded(row), interactive=interactive,
        mfa=_requirement(row.text("requirement"), "requirement", where),
    )  # fmt: skip


def _succeeded(row: Row) -> bool:
    """Return whether a sign-in row succeeded, from Status or else the sign-in error code."""
    status = row.text("status")
    word = status.lower().replace(" ", "")
    if word in ("success", "succeeded", "failure", "failed", "interrupted"):
        return word.startswith("succe")
    if status:
        raise row.error(
            "status", f"is {quoted(status)}, not Success/Failure", "keep the Status column"
        )
    code = row.text("error_code")
    if _INT.fullmatch(code):
        return int(code) == 0
    raise row.error("error_code", f"is {quoted(code)}, not a number", "0 means success")


def _register(users: dict[str, _User], reg: _User) -> None:
    """Record one user's registration details; the same user twice is an error."""
    user = users.setdefault(reg.upn.lower(), reg)
    if user is reg:
        return
    if user.reg_where:
        raise ImportFileError(
            f"userPrincipalName {reg.upn} repeats {user.reg_where}", reg.reg_where, "give it once"
        )
    reg.display_name = reg.display_name or user.display_name
    reg.ids = list(dict.fromkeys([*reg.ids, *user.ids]))
    reg.mfa, reg.single, reg.last = user.mfa, user.single, user.last
    users[reg.upn.lower()] = reg


def _tally(users: dict[str, _User], event: _SignIn) -> None:
    """Count one sign-in: successes set the last login; interactive ones judge enforcement."""
    user = users.setdefault(event.upn.lower(), _User(event.upn))
    user.display_name = user.display_name or event.display_name
    if event.user_id and event.user_id not in user.ids:
        user.ids.append(event.user_id)
    if not event.success:
        return
    if user.last is None or event.when > user.last:
        user.last = event.when
    if event.interactive and event.mfa is not None:
        user.mfa += int(event.mfa)
        user.single += int(not event.mfa)
