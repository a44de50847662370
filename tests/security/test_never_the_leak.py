"""Never the leak: raw values planted in the demo estate appear in nothing dataward writes or shows.

One module-scoped run generates the demo through the real CLI, plants known raw values of its
own (cards, SSNs, Aadhaar numbers, a NINO, an IBAN, cloud and database secrets, a private key)
in every format the scanner reads and in the logs and incident text dataward imports, runs the
commands a user runs (also with bad inputs, so error messages are covered), fetches every page
and API route an admin may open, and then searches all of it: stdout and stderr, every file of
the workspace (the database bytes and a dump of every column), exports, reports (PDF and XLSX
text too), the backup's decrypted content and every response. The search names where a value was
found and shows only its masked form. The workspace key is searched for the same way.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import os
import random
import re
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from stdnum import iban as stdnum_iban
from stdnum import luhn, verhoeff

from conftest import DEMO_AS_OF

DATAWARD = [str(Path(sys.executable).with_name("dataward"))]
PLANT_DIR = "shares/northbank/restricted/leak-probe"
#: Values typed into an incident's description and notes: free text the tool must keep, so it is
#: stored encrypted and shown, decrypted, only on that incident's own page, API and `show`.
INCIDENT_TEXT = ("incident_card", "incident_ssn", "incident_iban")
DECRYPTED_VIEW = re.compile(
    r"(GET /incidents/\d+/|GET /api/v1/incidents/INC-\d+|stdout of `dataward incidents show .*`): "
)
#: Each list page is also fetched searched for the planted folder, and as its CSV and XLSX export.
TABLE_VARIANTS = ("?q=leak-probe", "?q=leak-probe&export=csv", "?export=csv", "?export=xlsx")
#: Entities of the demo manifest whose raw values are distinctive enough to search for.
DEMO_ENTITIES = ("CREDIT_CARD", "US_SSN", "IBAN_CODE", "UK_NINO", "IN_AADHAAR", "IN_PAN", "SECRET")


# --- the values planted by this test (test-only, generated with valid check digits) ---


def _card(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def _aadhaar(rng: random.Random) -> str:
    body = rng.choice("23456789") + "".join(rng.choice("0123456789") for _ in range(10))
    number = body + verhoeff.calc_check_digit(body)
    return f"{number[:4]} {number[4:8]} {number[8:]}"


def _iban(rng: random.Random) -> str:
    bban = "MIDL" + "".join(rng.choice("0123456789") for _ in range(14))
    return "GB" + stdnum_iban.calc_check_digits("GB00" + bban) + bban


def planted_values() -> dict[str, str]:
    """Return name -> raw value for every value this test plants (the same on every run)."""
    rng = random.Random(4012)
    visa = _card(rng, "4", 16)
    b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return {
        "visa": f"{visa[:4]} {visa[4:8]} {visa[8:12]} {visa[12:]}",
        "mastercard": _card(rng, "5" + rng.choice("12345"), 16),
        "amex": _card(rng, "37", 15),
        "ssn": f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        "ssn_csv": f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        "aadhaar": _aadhaar(rng),
        "nino": "JK {} {} {} C".format(*(f"{rng.randint(10, 99)}" for _ in range(3))),
        "iban": _iban(rng),
        "aws_key_id": "AKIA" + "".join(rng.choice(b32) for _ in range(16)),
        "aws_secret": "".join(rng.choice(b64) for _ in range(40)),
        "pem_body": "MIIEow" + "".join(rng.choice(b64) for _ in range(58)),
        "db_password": "Qx7-" + "".join(rng.choice(b64[:62]) for _ in range(14)) + "-97",
        "log_card": _card(rng, "4", 16),
        "incident_card": _card(rng, "4", 16),
        "incident_ssn": f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        "incident_iban": _iban(rng),
        "bad_input_card": _card(rng, "4", 16),
    }


def spellings(raw: str) -> set[str]:
    """Return the common spellings of a value: as written, without spaces or dashes, regrouped."""
    compact = re.sub(r"[ -]", "", raw)
    forms = {raw, compact, raw.replace(" ", "-"), raw.replace("-", " ")}
    if compact.isdigit() and len(compact) in (15, 16):  # cards: 4-4-4-4 or 4-6-5 groups
        groups = [4, 6, 5] if len(compact) == 15 else [4, 4, 4, 4]
        parts, at = [], 0
        for size in groups:
            parts.append(compact[at : at + size])
            at += size
        forms |= {" ".join(parts), "-".join(parts)}
    if len(compact) >= 15 and compact[:2].isalpha() and compact[2:4].isdigit():  # IBAN groups
        forms.add(" ".join(compact[i : i + 4] for i in range(0, len(compact), 4)))
    return {f for f in forms if len(f) >= 8}


def masked(raw: str) -> str:
    """Return the only form of a value an assertion message may show."""
    compact = re.sub(r"[ -]", "", raw)
    return "****" + compact[-4:]


# --- the searcher ---


class Searcher:
    """Find any of many literal needles in texts with one trie-shaped regular expression.

    Needles are matched only where no digit or letter continues them on either side, so a short
    value cannot be "found" inside a longer unrelated number; case is ignored (an importer that
    lower-cases a cell must not hide a value).
    """

    def __init__(self, needles: dict[str, set[str]], bounded: bool = True) -> None:
        self.owner = {form.lower(): name for name, forms in needles.items() for form in forms}
        trie: dict[str, Any] = {}
        for form in self.owner:
            node = trie
            for ch in form:
                node = node.setdefault(ch, {})
            node[""] = {}
        body = _trie_regex(trie)
        edge = (r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])") if bounded else ("", "")
        self.pattern = re.compile(f"{edge[0]}(?:{body}){edge[1]}", re.IGNORECASE)

    def hits(self, text: str) -> set[str]:
        """Return the names of the needles found in ``text``."""
        return {self.owner.get(m.group(0).lower(), "?") for m in self.pattern.finditer(text)}


def _trie_regex(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


def leaks(searcher: Searcher, texts: Iterable[tuple[str, str]], raw: dict[str, str]) -> list[str]:
    """Return one line per (where, value) found: where it was and the value's masked form."""
    found = []
    for where, text in texts:
        for name in sorted(searcher.hits(text)):
            found.append(f"{where}: {name} {masked(raw.get(name, '????'))}")
    return found


def test_the_searcher_finds_every_spelling_and_names_only_the_mask() -> None:
    values = planted_values()
    searcher = Searcher({name: spellings(raw) for name, raw in values.items()})
    compact_visa = values["visa"].replace(" ", "")
    dashed_ssn = values["ssn"]
    iban = values["iban"].lower()
    text = f"row 3: {compact_visa}; note {dashed_ssn.replace('-', '')}, iban {iban}."
    found = leaks(searcher, [("a.txt", text), ("clean.txt", "****1234 and 4000-0000")], values)
    assert found == [
        f"a.txt: iban {masked(values['iban'])}",
        f"a.txt: ssn {masked(dashed_ssn)}",
        f"a.txt: visa {masked(values['visa'])}",
    ]
    assert all(compact_visa not in line and dashed_ssn not in line for line in found)
    assert not searcher.hits(f"9{compact_visa}")  # inside a longer number is not the value
    spaced_amex = spellings(values["amex"])
    assert any(len(f.split(" ")) == 3 for f in spaced_amex)  # 4-6-5 grouping is searched too
    run = Run(Path("ws"), Path("out"), values, None)
    shown = f"row 3: {masked(compact_visa)}; note {masked(dashed_ssn)}, iban {masked(iban)}."
    assert run.redact(text) == shown
    assert compact_visa not in repr(run)


# --- planting ---


def _plant_share(root: Path, v: dict[str, str]) -> None:
    """Write one file per format into the northbank share, each holding planted values."""
    from docx import Document
    from openpyxl import Workbook

    root.mkdir(parents=True)
    (root / "dispute_notes.txt").write_text(
        "Disputes queue, shift notes\n"
        f"Cardholder read out card number {v['visa']} to confirm the chargeback.\n"
        f"Member SSN {v['ssn']} was checked against the letter.\n"
    )
    (root / "card_refunds.csv").write_text(
        "case_id,card_number,ssn,note\n"
        f"R-1,{v['mastercard']},{v['ssn_csv']},refund approved\n"
        f"R-2,{v['amex']},,amex refund\n"
    )
    (root / "payout.json").write_text(json.dumps({"payee": {"iban": v["iban"], "ok": True}}))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "KYC"
    sheet.append(["agent", "national_insurance_number", "aadhaar"])
    sheet.append(["Agent 7", v["nino"], v["aadhaar"]])
    book.save(root / "kyc_checks.xlsx")
    doc = Document()
    doc.add_paragraph("Verification letter")
    doc.add_paragraph(f"Aadhaar number {v['aadhaar']} and card {v['visa']} were verified.")
    doc.save(str(root / "verification_letter.docx"))
    (root / "handover.eml").write_text(
        "From: ops@bpo.example\nTo: it@bpo.example\nSubject: billing handover\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        f"The billing database is postgresql://svc_billing:{v['db_password']}@db.internal:5432/b\n"
        f"Customer SSN {v['ssn']} is on the open ticket.\n"
    )
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{v['pem_body']}\n-----END RSA PRIVATE KEY-----\n"
    with zipfile.ZipFile(root / "deploy_bundle.zip", "w") as archive:
        archive.writestr(
            "config/aws.env",
            f"aws_access_key_id = {v['aws_key_id']}\naws_secret_access_key = {v['aws_secret']}\n",
        )
        archive.writestr("config/id_rsa", pem)
        archive.writestr("notes/cards.txt", f"test card {v['mastercard']} for the refund\n")


def _plant_inputs(root: Path, v: dict[str, str]) -> dict[str, Path]:
    """Write the non-share inputs: two logs, and bad files whose errors must not quote values."""
    root.mkdir(parents=True)
    app = root / "leak_app.jsonl"
    base = {"event": {"action": "export", "category": "file", "outcome": "success"}}
    lines = [
        base | {"@timestamp": "2026-11-27T10:00:00Z", "user": {"name": "ana@bpo.example"}},
        base
        | {
            "@timestamp": "2026-11-27T10:05:00Z",
            "user": {"name": "ana@bpo.example"},
            "message": f"card {v['log_card']} and SSN {v['ssn']} read back to caller",
            "url": {"original": f"https://crm.example/search?iban={v['iban']}"},
        },
    ]
    app.write_text("\n".join(json.dumps(line) for line in lines) + "\n{not json " + v["ssn"] + "\n")
    syslog = root / "leak_auth.log"
    syslog.write_text(
        "<86>1 2026-11-27T10:10:00Z nb-crm-app01 sso - LOGIN_OK "
        '[auth@32473 user="ana@bpo.example" client="northbank" src="10.50.30.106"] '
        f"login succeeded; password={v['db_password']} card {v['log_card']}\n"
    )
    bad_json = root / "clients_bad.json"
    bad_json.write_text('[{"slug": "x", "name": "' + v["bad_input_card"] + '", ,]')
    hr_header = (
        "employee_id,name,email,status,start_date,end_date,department,job_role,client_accounts,"
        "manager_id,last_role_change\n"
    )
    bad_hr = root / "hr_bad.csv"
    bad_hr.write_text(
        f"{hr_header}E1,Ana Reyes,ana@bpo.example,active,{v['bad_input_card']},,Ops,agent,"
        "northbank,,2024-01-01\n"
    )
    shifted_hr = root / "hr_shifted.csv"  # a card number where the email belongs
    shifted_hr.write_text(
        f"{hr_header}E1,Ana Reyes,{v['bad_input_card']},active,2024-01-01,,Ops,agent,"
        "northbank,,2024-01-01\n"
    )
    bad_risks = root / "risks_bad.csv"
    bad_risks.write_text(
        "Risk ID,Risk,Category,Likelihood,Impact,Owner,Response,Action plan,Target date,Status,"
        "Approved by,Accepted until\n"
        f"X-1,Late backups,Ops,{v['bad_input_card']},Major,Ops,Mitigate,plan,2027-01-01,Open,,\n"
    )
    bad_lms = root / "lms_bad.csv"
    bad_lms.write_text(
        "employee_id,course,completed_on,due_on,score\n"
        f"E10115,Annual Security Awareness,2026-08-11,2026-08-15,{v['bad_input_card']}\n"
    )
    paths = {"app": app, "syslog": syslog, "json": bad_json, "hr": bad_hr, "risks": bad_risks}
    return paths | {"lms": bad_lms, "shifted_hr": shifted_hr}


# --- running the CLI as a user does ---


@dataclass(repr=False)
class Run:
    """Everything collected from one end-to-end run over one workspace (its repr shows no value)."""

    ws: Path
    out: Path
    values: dict[str, str]
    env_key: str | None
    texts: list[tuple[str, str]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Run({self.ws}, {len(self.texts)} texts, {len(self.codes)} commands and requests)"

    def redact(self, text: str) -> str:
        """Return text with every planted value replaced by its masked form, for messages."""
        searcher = Searcher({name: spellings(raw) for name, raw in self.values.items()})
        owner, values = searcher.owner, self.values
        return searcher.pattern.sub(lambda m: masked(values[owner[m.group(0).lower()]]), text)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    env |= {"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb", "PYTHONIOENCODING": "utf-8"}
    return env


def _dw(run: Run, *args: str, ok: tuple[int, ...] = (0,)) -> str:
    """Run ``dataward ARGS -w WS`` in a subprocess; keep its stdout and stderr; return stdout."""
    label = _label(run, "dataward", args)
    done = subprocess.run(
        [*DATAWARD, "-w", str(run.ws), *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
        check=False,
    )
    return _keep(run, label, done.returncode, done.stdout, done.stderr, ok)


def _inproc(run: Run, *args: str, ok: tuple[int, ...] = (0,)) -> str:
    """Run the same command line in this process (no start-up cost); keep stdout, stderr, logs."""
    from dataward.cli import main

    out, err = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(err)
    logging.getLogger().addHandler(handler)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["-w", str(run.ws), *args])
    finally:
        logging.getLogger().removeHandler(handler)
    return _keep(run, _label(run, "dataward", args), code, out.getvalue(), err.getvalue(), ok)


def _label(run: Run, prog: str, args: tuple[str, ...]) -> str:
    return " ".join([prog, *(a.replace(str(run.out), "OUT") for a in args)])[:120]


def _keep(run: Run, label: str, code: int, out: str, err: str, ok: tuple[int, ...]) -> str:
    run.texts += [(f"stdout of `{label}`", out), (f"stderr of `{label}`", err)]
    run.codes[label] = code
    assert code in ok, f"`{label}` exited {code}: {run.redact(err[-2000:])}"
    assert "Traceback" not in err, f"`{label}` printed a traceback"
    return out


def _run_commands(run: Run, share: Path, inputs: dict[str, Path]) -> None:
    """Run what a user runs: the first of each kind as its own process, repeats in this one."""
    out, v = run.out, run.values
    scan = ["scan", str(share), "-c", "northbank", "-j", "1"]
    run.findings = [json.loads(line) for line in _dw(run, *scan, "-f", "jsonl").splitlines()]
    for fmt in ("json", "csv", "table"):
        _inproc(run, *scan, "-f", fmt, "--full")
    _inproc(run, *scan, "-f", "csv", "--full", "-o", str(out / "scan.csv"))
    for by in ("file", "column", "folder"):
        for fmt in ("table", "csv", "json"):
            _inproc(run, "inventory", "-c", "northbank", "--by", by, "-f", fmt)
    _inproc(run, "inventory", "-c", "northbank", "-f", "xlsx", "-o", str(out / "inventory.xlsx"))
    _dw(run, "logs", "ingest", str(inputs["app"]), "--source", "leak-app", "-c", "northbank")
    _inproc(run, "logs", "ingest", str(inputs["syslog"]), "--source", "leak-sso", "-c", "northbank")
    _inproc(run, "logs", "runs", "-f", "json")
    _inproc(run, "alerts", "list", "-f", "json")
    incident = _dw(
        run,
        *("incidents", "report", "--severity", "high", "-c", "northbank", "-f", "json"),
        *("--title", "Refund export e-mailed to the wrong client"),
        *("--description", f"Card {v['incident_card']} and SSN {v['incident_ssn']} in the file."),
    )
    ref = json.loads(incident)[0]["ref"]
    _inproc(run, "incidents", "note", ref, f"IBAN {v['incident_iban']} also listed")
    _inproc(run, "incidents", "show", ref, "-f", "json")
    _inproc(run, "incidents", "list", "-f", "json")
    _inproc(run, "incidents", "list", "-f", "csv", "-o", str(out / "incidents.csv"))
    _inproc(run, "assess", ok=(0, 1))
    _inproc(run, "posture")
    for fmt, suffix in (("html", "html"), ("xlsx", "xlsx"), ("pdf", "pdf"), ("oscal", "json")):
        _inproc(run, "report", "-c", "northbank", "-f", fmt, "-o", str(out / f"report.{suffix}"))
    _inproc(run, "risks", "list")
    for suffix in ("csv", "xlsx", "json"):
        _inproc(run, "risks", "export", "--all", "-o", str(out / f"risks.{suffix}"))
    _inproc(run, "retention", "overdue", "-c", "northbank", "-f", "json")
    _inproc(run, "retention", "plans")
    _inproc(run, "audit", "log", "-f", "json")
    _dw(run, "audit", "verify")
    _dw(run, "backup", str(out / "workspace.backup"))
    _dw(run, "clients", "import", str(inputs["json"]), ok=(2,))
    _inproc(run, "access", "import", "hr", str(inputs["hr"]), ok=(2,))
    _inproc(run, "access", "import", "hr", str(inputs["shifted_hr"]), ok=(2,))
    _inproc(run, "risks", "import", str(inputs["risks"]), ok=(2,))
    _inproc(run, "training", "import", "completions", str(inputs["lms"]), ok=(2,))
    _inproc(run, "scan", str(share / "no-such-folder"), "-c", "northbank", ok=(2,))


# --- the web, as a signed-in admin ---


def _fetch_web(run: Run) -> None:
    """Fetch every page and API route an admin may open, with a few objects of every kind."""
    from django.urls import get_resolver, reverse

    from dataward.core.workspace import open_workspace
    from dataward.web import tokens
    from dataward.web.app import serve
    from dataward.web.app import served as state
    from web.conftest import sign_in
    from web.test_isolation import _objects, _patterns

    ws = open_workspace(run.ws, env={})
    serve(ws)
    try:
        browser = sign_in("demo-admin")
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens.create(ws, 'demo-admin', 'leak')[1]}"}
        declared = _objects()
        skip = ("login", "logout", "mfa", "healthz", "api:openapi", "api:docs")
        for name, _route, params in _patterns(get_resolver().url_patterns):
            if name.startswith(skip) or (params and name not in declared):
                continue
            if params:
                urls = [reverse(name, kwargs=kw) for kw in _newest(declared[name])]
            elif name.startswith("api:"):
                urls = [reverse(name)]
            else:  # a list page: also searched for the planted files, and exported
                urls = [reverse(name) + q for q in ("", *TABLE_VARIANTS)]
            for url in urls:
                _get(run, browser, bearer, url)
    finally:
        state.ws = None
        from django.db import connections

        connections.close_all()


def _get(run: Run, browser: Any, bearer: dict[str, str], url: str) -> None:
    """GET a page as the signed-in admin, or an API route with the admin's token; keep the body."""
    from django.test import Client

    if url.startswith("/api/"):
        response = Client().get(url, {"limit": 500}, **bearer)
    else:
        response = browser.get(url)
    run.codes[f"GET {url}"] = response.status_code
    if response.status_code == 200:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        run.texts += [(f"GET {url}", text) for text in _texts_of(url, body)]


def _newest(spec: tuple[Any, ...], per_kind: int = 4) -> list[dict[str, Any]]:
    """Return URL kwargs of the newest objects of a model (those this test created first)."""
    model, params = spec[0], spec[1]
    rows = model.objects
    query = rows.unscoped("leak test") if hasattr(rows.all(), "unscoped") else rows.all()
    names = list(params)
    values = query.order_by("-pk").values_list(*[params[n] for n in names])[:per_kind]
    return [dict(zip(names, v, strict=True)) for v in values]


# --- turning what was collected into searchable text ---


def _texts_of(where: str, data: bytes) -> Iterator[str]:
    """Yield the text of bytes: as they are, and what PDF, XLSX and ZIP parsers read from them."""
    yield data.decode("latin-1")
    if data.startswith(b"%PDF"):
        import pypdf

        yield "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    elif data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield archive.read(member).decode("latin-1")
        if where.endswith(".xlsx") or b"xl/workbook.xml" in data:
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            yield "\n".join(
                str(cell)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
                for cell in row
                if cell is not None
            )


def _database_dump(db: Path) -> str:
    """Return every value of every column of every table, one row a line."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        lines = []
        for table in tables:
            for row in con.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from SQLite
                lines.append(f"{table}: " + " | ".join(str(value) for value in row))
        return "\n".join(lines)
    finally:
        con.close()


def _backup_texts(path: Path, key_file: Path) -> Iterator[tuple[str, str]]:
    """Yield the backup's bytes, and each decrypted member's, after checking it is sealed."""
    from dataward.core.engine.backup_crypto import MAGIC, ChunkReader
    from dataward.core.engine.crypto import Keyring

    data = path.read_bytes()
    assert data.startswith(MAGIC), "the backup is not a sealed dataward archive"
    assert not zipfile.is_zipfile(path), "the backup is a plain ZIP, not encrypted"
    yield "the backup file", data.decode("latin-1")
    keyring = Keyring.from_text(key_file.read_text(), str(key_file))
    with path.open("rb") as raw, zipfile.ZipFile(ChunkReader(raw, keyring, str(path), "")) as z:
        for member in z.namelist():
            for text in _texts_of(member, z.read(member)):
                yield f"backup member {member}", text


def _workspace_texts(run: Run) -> Iterator[tuple[str, str]]:
    """Yield every file dataward wrote (not the estate it read, not the key file) as text."""
    estate = run.ws / "estate"
    for path in sorted(run.ws.rglob("*")):
        if not path.is_file() or estate in path.parents or path.name == "dataward.key":
            continue
        for text in _texts_of(path.name, path.read_bytes()):
            yield str(path.relative_to(run.ws)), text
    yield "SELECT dump of the database", _database_dump(run.ws / "dataward.sqlite3")
    for path in sorted(run.out.iterdir()):
        if path.name == "workspace.backup":
            yield from _backup_texts(path, run.ws / "dataward.key")
        else:
            for text in _texts_of(path.name, path.read_bytes()):
                yield f"export {path.name}", text


def _demo_values(estate: Path) -> dict[str, str]:
    """Re-read the demo's own distinctive raw values at the locations its manifest names."""
    from demo.test_sensitive_values import _member, parse, read_at, resolve

    manifest = json.loads((estate / "manifest.json").read_text())
    cache: dict[tuple[str, str | None], Any] = {}
    values = {}
    for n, entry in enumerate(manifest["sensitive_values"]):
        if entry["entity"] not in DEMO_ENTITIES:
            continue
        key = (entry["path"], entry["member"])
        if key not in cache:
            cache[key] = parse(*_member(estate, entry))
        raw = resolve(entry, read_at(cache[key], entry["location"]))
        if raw:
            values[f"demo {entry['entity']} #{n} in {entry['path']}"] = raw
    return values


def key_forms(key_file: Path, env_key: str | None) -> dict[str, set[str]]:
    """Return the workspace key's secrets in base64url, base64 and hex spellings."""
    forms: dict[str, set[str]] = {}
    for entry in json.loads(key_file.read_text())["keys"]:
        secret = entry["secret"]
        raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
        standard = base64.b64encode(raw).decode()
        forms[f"key {entry['id']}"] = {
            secret,
            standard,
            standard.rstrip("="),
            raw.hex(),
            raw.hex().upper(),
            raw.decode("latin-1"),
        }
    if env_key:
        forms["DATAWARD_KEY"] = {env_key}
    return forms


@pytest.fixture(scope="module")
def leak_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Run the demo, plant values, run every command and page; collect everything shown or kept."""
    base = tmp_path_factory.mktemp("leak")
    run = Run(base / "ws", base / "out", planted_values(), os.environ.get("DATAWARD_KEY"))
    run.out.mkdir()
    with pytest.MonkeyPatch.context() as env:
        for name in [n for n in os.environ if n.startswith("DATAWARD_")]:
            env.delenv(name)
        _dw(run, "demo", "--as-of", DEMO_AS_OF)
        share = run.ws / "estate" / PLANT_DIR
        _plant_share(share, run.values)
        inputs = _plant_inputs(base / "inputs", run.values)
        _run_commands(run, share, inputs)
        _fetch_web(run)
    run.texts += list(_workspace_texts(run))
    run.values |= _demo_values(run.ws / "estate")
    return run


def test_the_scan_found_the_planted_values_in_every_format(leak_run: Run) -> None:
    found = {(Path(f["location"]).name, f["member"], f["entity_type"]) for f in leak_run.findings}
    for expected in (
        ("dispute_notes.txt", "", "CREDIT_CARD"),
        ("dispute_notes.txt", "", "US_SSN"),
        ("card_refunds.csv", "", "CREDIT_CARD"),
        ("payout.json", "", "IBAN_CODE"),
        ("kyc_checks.xlsx", "", "UK_NINO"),
        ("kyc_checks.xlsx", "", "IN_AADHAAR"),
        ("verification_letter.docx", "", "IN_AADHAAR"),
        ("handover.eml", "", "SECRET"),
        ("deploy_bundle.zip", "config/aws.env", "SECRET"),
        ("deploy_bundle.zip", "config/id_rsa", "SECRET"),
    ):
        assert expected in found, f"the scan missed {expected}; the leak search would be vacuous"
    assert len([v for v in leak_run.values if v.startswith("demo ")]) > 200


def test_no_planted_raw_value_appears_in_any_output_file_page_or_message(leak_run: Run) -> None:
    searcher = Searcher({name: spellings(raw) for name, raw in leak_run.values.items()})
    found = [
        line
        for line in leaks(searcher, leak_run.texts, leak_run.values)
        if not (DECRYPTED_VIEW.match(line) and line.split(": ")[1].startswith(INCIDENT_TEXT))
    ]
    assert not found, "raw values leaked:\n" + "\n".join(found[:60])


def test_incident_text_is_shown_only_decrypted_to_its_handlers(leak_run: Run) -> None:
    searcher = Searcher({name: spellings(leak_run.values[name]) for name in INCIDENT_TEXT})
    shown = {where for where, text in leak_run.texts if searcher.hits(text)}
    assert shown, "the incident's own views were not fetched"
    assert all(DECRYPTED_VIEW.match(f"{where}: ") for where in shown), sorted(shown)


def test_the_workspace_key_appears_in_no_output(leak_run: Run) -> None:
    forms = key_forms(leak_run.ws / "dataward.key", leak_run.env_key)
    searcher = Searcher(forms, bounded=False)
    found = [f"{where}: {name}" for where, text in leak_run.texts for name in searcher.hits(text)]
    assert not found, "key material found in:\n" + "\n".join(found)
    assert len(leak_run.texts) > 200  # outputs of commands, files, exports and pages were read
    assert sum(where.startswith("GET /api/") for where, _ in leak_run.texts) > 10


def test_every_page_and_route_answered_without_a_server_error(leak_run: Run) -> None:
    fetched = {where: code for where, code in leak_run.codes.items() if where.startswith("GET ")}
    broken = sorted(f"{where} -> {code}" for where, code in fetched.items() if code >= 500)
    assert not broken, broken
    pages = [w for w, code in fetched.items() if code == 200 and not w.startswith("GET /api/")]
    routes = [w for w, code in fetched.items() if code == 200 and w.startswith("GET /api/")]
    assert len(pages) > 40, pages
    assert len(routes) > 20, routes
    exports = [w for w, code in fetched.items() if code == 200 and w.endswith("export=xlsx")]
    assert len(exports) > 5, exports
