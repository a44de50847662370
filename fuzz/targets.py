"""Name every fuzz target: one function of raw bytes per extractor, importer and the detectors.

A target returns quietly for any input dataward handles as promised (parts and skips out of an
extractor, one line of ``DatawardError`` out of an importer) and raises for anything else: an
exception of any other type, or a :class:`BrokenPromise` (a skip reason or error that is not
one short line, an offset out of bounds). The atheris harnesses (``fuzz/fuzz_*.py``) and the
regression tests (``tests/fuzz/``) call the same functions, so a crash the fuzzer finds is
replayed by pytest once its input is kept under ``fuzz/regressions/<target>/``.

Only the standard library is imported here at the top: each harness imports the modules a
target names inside ``atheris.instrument_imports()`` so that they are instrumented.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

#: Newest libFuzzer inputs are capped at this size; bigger seeds are left out of the corpus.
MAX_LEN = 256 * 1024
#: A value no error line or skip reason may ever repeat (a card number that passes Luhn).
CANARY = "4111111111111111"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class BrokenPromise(AssertionError):  # noqa: N818 - it reads as what it reports
    """Report output that breaks a promise dataward makes about bad input."""


@dataclass(frozen=True)
class Target:
    """One fuzz target: its function, the modules to instrument and where its seeds come from."""

    name: str
    run: Callable[[bytes], None]
    modules: tuple[str, ...]
    globs: tuple[str, ...] = ()
    extra: tuple[bytes, ...] = ()
    build: Callable[[], list[bytes]] | None = None


def one_line(text: object, data: bytes = b"") -> None:
    """Check that a reason or error shown to users is one short line that does not leak."""
    if not isinstance(text, str) or not text.strip():
        raise BrokenPromise(f"reason is not a non-empty string: {text!r}")
    if "\n" in text or "\r" in text or len(text) > 1000:
        raise BrokenPromise(f"reason is not one short line: {text[:200]!r}")
    if not text.isprintable():
        raise BrokenPromise(f"reason holds control characters: {text[:200]!r}")
    if CANARY.encode() in data and CANARY in text:
        raise BrokenPromise("reason quotes a sensitive value from the input")


# --- extractors --------------------------------------------------------------------------------


def _limits() -> Any:
    from dataward.discovery.engine.types import Limits

    mib = 1024**2
    return Limits(
        max_file_bytes=8 * mib, max_member_bytes=2 * mib, max_total_unpacked=8 * mib,
        max_members=200, chunk_chars=64 * 1024,
    )  # fmt: skip


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def scan_bytes(name: str, data: bytes) -> Any:
    """Extract and detect one file's bytes as a scan worker does; check what comes out."""
    from dataward.discovery.engine.extractors import extract_stream
    from dataward.discovery.engine.scanner import ScanOptions, scan_parts

    limits = _limits()
    parts = extract_stream(name, io.BytesIO(data), size=len(data), limits=limits)
    result = scan_parts(parts, _fingerprint, ScanOptions(limits=limits))
    for skip in result.skipped:
        one_line(skip.reason, data)
    for item in result.items:
        if not 0 <= item.start <= item.end or not 0.0 <= item.score <= 1.0:
            raise BrokenPromise(f"finding out of bounds: {item.start}..{item.end}")
        if CANARY in item.preview:
            raise BrokenPromise("a preview holds a whole sensitive value")
    return result


def _extractor(suffix: str) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        scan_bytes(f"fuzz{suffix}", data)

    return run


# --- importers ---------------------------------------------------------------------------------

_SCRATCH: list[Path] = []


def scratch(name: str) -> Path:
    """Return a path in this process's scratch folder (removed when the process ends)."""
    if not _SCRATCH:
        folder = Path(tempfile.mkdtemp(prefix="dataward-fuzz-"))
        atexit.register(shutil.rmtree, folder, True)
        _SCRATCH.append(folder)
    return _SCRATCH[0] / name


def _table_suffix(data: bytes) -> str:
    return ".xlsx" if data.startswith(b"PK") else ".csv"


def _importer(
    call: Callable[[Path], object], suffix: Callable[[bytes], str] = _table_suffix
) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        from dataward.errors import DatawardError

        path = scratch("export" + suffix(data))
        path.write_bytes(data)
        try:
            call(path)
        except DatawardError as exc:
            one_line(exc.line(), data)

    return run


def _json(_: bytes) -> str:
    return ".json"


def _hr(path: Path) -> object:
    from dataward.access.engine.connectors.hr import read_roster

    return read_roster(path)


def _entitlements(path: Path) -> object:
    from dataward.access.engine.connectors.entitlements import read_entitlements

    return read_entitlements(path)


def _directory(path: Path) -> object:
    from dataward.access.engine.connectors.directory_csv import read_directory_csv

    return read_directory_csv(path)


def _scim(path: Path) -> object:
    from dataward.access.engine.connectors.scim import read_scim

    return read_scim([path])


def _entra(path: Path) -> object:
    from dataward.access.engine.connectors.entra import read_entra

    return read_entra([path])


def _devices(module: str, function: str) -> Callable[[Path], object]:
    def call(path: Path) -> object:
        import importlib

        return getattr(importlib.import_module(module), function)(path)

    return call


def _logs(mapping_name: str) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        from dataward.errors import DatawardError
        from dataward.monitoring.engine.ingest import Malformed, load_mapping, read_events

        try:
            for record in read_events(io.BytesIO(data), load_mapping(mapping_name), now=NOW):
                if isinstance(record, Malformed):
                    one_line(record.reason, data)
                if not 0 <= record.end <= len(data):
                    raise BrokenPromise(f"record ends at {record.end} of {len(data)} bytes")
        except DatawardError as exc:
            one_line(exc.line(), data)

    return run


# --- detectors ---------------------------------------------------------------------------------


def _detect(data: bytes) -> None:
    from dataward.discovery import detect, detect_cells, mask, normalize

    text = data.decode("utf-8", "replace")
    for context in ("", "ssn card email iban"):
        last = -1
        for det in detect(text, context=context):
            if not 0 <= det.start < det.end <= len(text) or not 0.0 <= det.score <= 1.0:
                raise BrokenPromise(f"{det.entity_type} out of bounds: {det.start}..{det.end}")
            if det.start < last:
                raise BrokenPromise("detections are not in text order")
            last = det.start
            value = text[det.start : det.end]
            normalize(det.entity_type, value)
            if len(value) > 4 and mask(det.entity_type, value) == value:
                raise BrokenPromise(f"mask returned the {det.entity_type} value unchanged")
    lines = text.splitlines()[:50]
    rows = [line.split(",") for line in lines[1:]]
    header = lines[0].split(",") if lines else []
    for r, c, det in detect_cells(header, rows):
        if not (0 <= r < len(rows) and 0 <= c < len(rows[r])):
            raise BrokenPromise(f"cell ({r}, {c}) is not in the table")
        if not 0 <= det.start < det.end <= len(rows[r][c]):
            raise BrokenPromise(f"{det.entity_type} out of its cell: {det.start}..{det.end}")


# --- seeds -------------------------------------------------------------------------------------

_ENTRA_REG = {
    "value": [
        {
            "id": "00000001-0000-4000-8000-000000000001", "userPrincipalName": "ann@corp.example",
            "userDisplayName": "Ann Example", "isAdmin": False, "isMfaRegistered": True,
            "isMfaCapable": True, "methodsRegistered": ["microsoftAuthenticatorPush"],
        }
    ]
}  # fmt: skip
_ENTRA_SIGNINS = (
    "Date (UTC),Request ID,User,Username,User ID,Application,Status,Authentication requirement\n"
    "2026-11-20T07:00:41Z,r1,Ann Example,ann@corp.example,1,Office 365,Success,"
    "Multifactor authentication\n"
)
_OSQUERY = {
    "system_info": [{"hostname": "mnl-lt-1", "computer_name": "MNL-LT-1",
                     "hardware_serial": "C02XYZ", "hardware_model": "Latitude 5440"}],
    "os_version": [{"name": "Ubuntu", "version": "24.04.1 LTS", "platform": "ubuntu"}],
    "collected_at": "2026-11-20T07:00:41Z",
}  # fmt: skip
_OSQUERY_LOG = {
    "name": "pack_dataward_system_info", "hostIdentifier": "mnl-lt-1", "unixTime": 1795158041,
    "snapshot": [{"hostname": "mnl-lt-1"}],
}  # fmt: skip
_COLLECTOR = {
    "schema": "dataward-device/1", "collected_at": "2026-11-20T07:00:41+00:00",
    "collector": {"platform": "linux", "version": 1},
    "device": {"name": "pnq-dev-01", "serial": "SN1", "user": "ann", "remote": False},
    "posture": {"encrypted": True, "firewall": None, "os_version": "24.04"},
    "probes": {"encrypted": "lsblk"},
}  # fmt: skip
_WINDOWS = {
    "Id": 4625, "TimeCreated": "/Date(1795158041000)/", "MachineName": "DC01.corp.example",
    "ProviderName": "Microsoft-Windows-Security-Auditing", "LogName": "Security",
    "Properties": [{"Value": "S-1-0-0"}, {"Value": "-"}, {"Value": "bob"}],
}  # fmt: skip


def _dumps(doc: object) -> bytes:
    return json.dumps(doc, indent=1).encode()


def _office(kind: str) -> Callable[[], list[bytes]]:
    """Return a builder of one small document written by the demo estate's own renderers."""

    def build() -> list[bytes]:
        from dataward.demo.engine import formats as f

        rows = [["Ann Cruz", "ann.cruz@example.org", "536-22-8754"], ["Bo Li", "", "4539 1488"]]
        table = f.csv_doc(["name", "email", "ssn"], rows)
        if kind == "xlsx":
            return [f.xlsx_doc([("Agents", ["name", "email", "ssn"], rows)], NOW)[0]]
        if kind == "docx":
            return [f.docx_doc([("Normal", "Call Ann Cruz, SSN 536-22-8754")], NOW, "t")[0]]
        if kind == "pdf":
            return [f.pdf_doc([["Statement", "Ann Cruz 536-22-8754"]], NOW, "t")[0]]
        if kind == "zip":
            inner = f.zip_doc([("inner/a.csv", table)], NOW)
            return [f.zip_doc([("a.csv", table), ("inner.zip", inner)], NOW)[0]]
        if kind == "eml":
            headers = [("From", "ann@example.org"), ("To", "bo@example.org"), ("Subject", "x")]
            return [f.eml_doc(headers, ["SSN 536-22-8754"], NOW, "m1@example.org")[0]]
        return [_msg()]

    return build


def _msg() -> bytes:
    from dataward.demo.engine.msgfile import write_msg

    path = scratch("seed.msg")
    attachment = ("a.csv", b"name,ssn\nAnn,536-22-8754\n")
    write_msg(path, subject="s", sender="Ann <ann@example.org>", to="bo@example.org",
              body="SSN 536-22-8754", attachments=[attachment])  # fmt: skip
    return path.read_bytes()


def _rows(header: str, *rows: str) -> tuple[bytes, ...]:
    text = "\n".join([header, *rows, ""])
    return text.encode(), text.encode("utf-16"), text.replace(",", ";").encode("cp1252")


def _as_xlsx(csv_text: bytes) -> Callable[[], list[bytes]]:
    def build() -> list[bytes]:
        from dataward.demo.engine.formats import xlsx_doc

        header, *rows = [line.split(",") for line in csv_text.decode().splitlines()]
        return [xlsx_doc([("Sheet1", header, rows)], NOW)[0]]

    return build


_HR = _rows(
    "employee_id,name,email,status,start_date,end_date,job_role,client_accounts,manager_id",
    "E1,Ann Cruz,ann@example.org,active,2024-01-02,,agent,acme,E2",
    "E2,Bo Li,bo@example.org,terminated,2020-05-01,2026-10-31,lead,,",
)
_ENTITLEMENTS = _rows(
    "account,application,permission,privileged,granted_date,last_used,granted_by",
    "ann,crm,admin,yes,2024-01-02,2026-11-01,bo",
)
_DIRECTORY = _rows(
    "username,employee_id,email,display_name,enabled,mfa_registered,mfa_enforced,last_login,groups",
    "ann,E1,ann@example.org,Ann Cruz,true,true,false,2026-11-20T07:00:41Z,Admins;Ops",
)
_MDM = _rows(
    "device name,serial number,primary user,os,os version,encrypted,firewall,last check-in",
    "MNL-LT-1,C02XYZ,ann@example.org,Windows,10.0.22631,true,on,2026-11-20T07:00:41Z",
)
_SCIM = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 2,
    "Resources": [
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1",
         "userName": "ann", "active": True, "emails": [{"value": "ann@example.org"}]},
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g1",
         "displayName": "Admins", "members": [{"value": "u1"}]},
    ],
}  # fmt: skip
_JAMF = {"computers": [{"general": {"name": "mac-1", "serial_number": "C02XYZ"},
                        "hardware": {"model": "MacBook Air"}}]}  # fmt: skip


_ALL = (
    Target("csv", _extractor(".csv"), ("dataward.discovery",), ("**/*.csv", "**/*.tsv"),
           (b"a,b\n1,2\n", b"\xef\xbb\xbfname;email\nAnn;ann@example.org\n")),
    Target("json", _extractor(".json"), ("dataward.discovery",), ("**/*.json", "**/*.jsonl"),
           (b'{"a": [1, "x", {"b": null}]}', b'{"a": 1}\n{"b": 2}\n')),
    Target("xlsx", _extractor(".xlsx"), ("dataward.discovery", "openpyxl"), ("**/*.xlsx",),
           build=_office("xlsx")),
    Target("docx", _extractor(".docx"), ("dataward.discovery", "docx"), ("**/*.docx",),
           build=_office("docx")),
    Target("pdf", _extractor(".pdf"), ("dataward.discovery", "pypdf"), ("**/*.pdf",),
           build=_office("pdf")),
    Target("eml", _extractor(".eml"), ("dataward.discovery",), ("**/*.eml",),
           (b"From: a@example.org\nTo: b@example.org\nSubject: x\n\nbody\n",), _office("eml")),
    Target("zip", _extractor(".zip"), ("dataward.discovery",), ("**/*.zip",),
           build=_office("zip")),
    Target("msg", _extractor(".msg"), ("dataward.discovery", "olefile"), ("**/*.msg",),
           build=_office("msg")),
    Target("sniff", _extractor(""), ("dataward.discovery",), ("**/*.log", "**/*.txt"),
           (b"%PDF-1.7\n", b"PK\x05\x06" + bytes(18), b"From: a\nTo: b\n\nhi\n")),
    Target("detect", _detect, ("dataward.discovery",), ("**/*.txt", "**/*.log"),
           (b"SSN 536-22-8754, card 4539 1488 0343 6467, ann@example.org, +1 415 555 0123",)),
    Target("hr", _importer(_hr), ("dataward.access", "openpyxl"), ("hr/hr_roster.*",), _HR,
           _as_xlsx(_HR[0])),
    Target("entitlements", _importer(_entitlements), ("dataward.access", "openpyxl"),
           ("entitlements/*.csv",), _ENTITLEMENTS, _as_xlsx(_ENTITLEMENTS[0])),
    Target("directory", _importer(_directory), ("dataward.access", "openpyxl"),
           ("directory/directory_users.csv",), _DIRECTORY),
    Target("scim", _importer(_scim, _json), ("dataward.access", "scim2_models"),
           ("directory/scim_*.json",), (_dumps(_SCIM),)),
    Target("entra", _importer(_entra), ("dataward.access",), (),
           (_dumps(_ENTRA_REG), _ENTRA_SIGNINS.encode())),
    Target("mdm_csv", _importer(_devices("dataward.devices.engine.connectors.mdm_csv",
                                         "read_mdm_csv")),
           ("dataward.devices", "openpyxl"), ("devices/*.csv",), _MDM, _as_xlsx(_MDM[0])),
    Target("intune", _importer(_devices("dataward.devices.engine.connectors.intune",
                                        "read_intune")),
           ("dataward.devices", "openpyxl"), ("devices/intune_devices.csv",), _MDM),
    Target("jamf", _importer(_devices("dataward.devices.engine.connectors.jamf", "read_jamf"),
                             _json),
           ("dataward.devices",), ("devices/jamf_devices.json",), (_dumps(_JAMF),)),
    Target("osquery", _importer(_devices("dataward.devices.engine.connectors.osquery",
                                         "read_osquery"), _json),
           ("dataward.devices",), (), (_dumps(_OSQUERY), json.dumps(_OSQUERY_LOG).encode())),
    Target("collector", _importer(_devices("dataward.devices.engine.connectors.collector",
                                           "read_collector"), _json),
           ("dataward.devices",), (), (_dumps(_COLLECTOR),)),
    Target("logs_jsonl", _logs("ecs-jsonl"), ("dataward.monitoring",), ("logs/*.jsonl",),
           (b'{"@timestamp": "2026-11-20T07:00:41Z", "user": {"name": "ann"}}\n',)),
    Target("logs_syslog", _logs("syslog"), ("dataward.monitoring",), ("logs/*.log",),
           (b"<38>Nov 20 07:00:41 host sshd[1]: Accepted password for ann from 10.0.0.7\n",
            b"<13>1 2026-11-20T07:00:41Z h app - - [x@1 k=\"v\"] msg\n")),
    Target("logs_csv", _logs("csv"), ("dataward.monitoring",), (),
           (b"time,user,action,ip\n2026-11-20T07:00:41Z,ann,login,10.0.0.7\n",)),
    Target("logs_windows", _logs("windows-security"), ("dataward.monitoring",), (),
           (json.dumps(_WINDOWS).encode() + b"\n",)),
)  # fmt: skip
TARGETS: dict[str, Target] = {t.name: t for t in _ALL}


def write_estate(root: Path) -> Path:
    """Write the demo estate (the project's own generator) into ``root`` and return it."""
    from dataward.demo.engine import generate

    generate(root, seed=7, as_of=date(2026, 11, 28))
    return root


def seeds(target: Target, estate: Path | None, per_glob: int = 6) -> Iterator[bytes]:
    """Yield a target's seed inputs: its own small ones, then up to ``per_glob`` estate files."""
    yield from target.extra
    if target.build is not None:
        yield from target.build()
    if estate is None:
        return
    for pattern in target.globs:
        found = sorted(p for p in estate.glob(pattern) if p.is_file())
        small = [p for p in found if p.stat().st_size <= MAX_LEN]
        for path in small[:per_glob]:
            yield path.read_bytes()


def write_seeds(folder: Path, names: Iterable[str], estate: Path | None) -> dict[str, Path]:
    """Write each named target's seeds into ``folder/<name>/`` and return those folders."""
    out: dict[str, Path] = {}
    for name in names:
        corpus = folder / name
        corpus.mkdir(parents=True, exist_ok=True)
        for data in seeds(TARGETS[name], estate):
            (corpus / hashlib.sha1(data, usedforsecurity=False).hexdigest()).write_bytes(data)
        out[name] = corpus
    return out
