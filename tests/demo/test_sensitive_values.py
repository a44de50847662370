"""The manifest's sensitive values: re-read at their locations, valid, and never leaked raw."""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pypdf
import pytest
from stdnum import iban, luhn
from stdnum.gb import nhs
from stdnum.in_ import aadhaar, pan
from stdnum.us import rtn, ssn

from dataward.demo.engine import generate, mask

AS_OF = date(2026, 11, 28)
NINO = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] \d{2} \d{2} \d{2} [A-D]")
PHONES = (
    r"\+1 \d{3}-\d{3}-\d{4}|\(\d{3}\) \d{3}-\d{4}|\+63 9\d{2} \d{3} \d{4}|09\d{2} \d{3} \d{4}"
    r"|\+44 7\d{3} \d{6}|07\d{3} \d{6}|\+91 [6-9]\d{4} \d{5}"
)


def _luhn(value: str) -> bool:
    """Return whether a card number, spaced or not, passes Luhn."""
    return luhn.is_valid(value.replace(" ", ""))


def _is_ip(value: str) -> bool:
    """Return whether a string parses as an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


# entity -> (pattern that finds candidates, validator)
RULES: dict[str, tuple[str, Callable[[str], bool]]] = {
    "CREDIT_CARD": (r"(?<!\d)(?:\d{4} ){3}\d{4}(?!\d)|(?<!\d)\d{15,16}(?!\d)", _luhn),
    "US_SSN": (r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)", ssn.is_valid),
    "IBAN_CODE": (r"GB\d{2}[A-Z]{4}\d{14}|GB\d{2}(?: [A-Z0-9]{4}){4} \d{2}", iban.is_valid),
    "UK_NHS": (r"(?<!\d)\d{3} \d{3} \d{4}(?!\d)", nhs.is_valid),
    "IN_AADHAAR": (r"(?<!\d)[2-9]\d{3} \d{4} \d{4}(?!\d)", aadhaar.is_valid),
    "IN_PAN": (r"\b[A-Z]{3}P[A-Z]\d{4}[A-Z]\b", pan.is_valid),
    "ABA_ROUTING_NUMBER": (r"(?<!\d)\d{9}(?!\d)", rtn.is_valid),
    "UK_NINO": (NINO.pattern, lambda v: v[:2] not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}),
    "PH_TIN": (r"(?<!\d)\d{3}-\d{3}-\d{3}-\d{3}(?!\d)", lambda v: v[0] != "0"),
    "PH_SSS": (r"(?<![\d-])\d{2}-\d{7}-\d(?![\d-])", lambda v: 1 <= int(v[:2]) <= 39),
    "US_PASSPORT": (r"(?<!\d)[1-9]\d{8}(?!\d)", lambda v: True),
    "US_BANK_NUMBER": (r"(?<!\d)\d{8,17}(?!\d)", lambda v: v[0] != "0"),
    "PHONE_NUMBER": (PHONES, lambda v: "555-" not in v),
    "IP_ADDRESS": (r"[0-9a-fA-F:.]{7,}", _is_ip),
    "EMAIL_ADDRESS": (r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", lambda v: "." in v.split("@")[1]),
    "DATE_OF_BIRTH": (r"\d{4}-\d{2}-\d{2}", lambda v: date.fromisoformat(v).year < 2008),
}


OTHER_RULES: dict[str, Callable[[str], bool]] = {
    "PERSON": lambda v: bool(re.fullmatch(r"[A-Z][A-Za-z'.-]*( [A-Z][A-Za-z'.-]*)*", v)),
    "LOCATION": lambda v: "," in v or v[0].isdigit(),
    "SECRET": lambda v: len(v) >= 12 and " " not in v,
}


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Generate the seed-7 estate once for the module."""
    root = tmp_path_factory.mktemp("estate")
    return root, generate(root, seed=7, as_of=AS_OF)


def parse(data: bytes, name: str) -> Any:
    """Parse one file (or ZIP member) once into what locations index into."""
    fmt = name.rsplit(".", 1)[-1]
    if fmt == "csv":
        return {None: list(csv.reader(io.StringIO(data.decode("utf-8"))))}
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return {
            ws.title: [
                ["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)
            ]
            for ws in book.worksheets
        }
    if fmt == "json":
        return json.loads(data)
    if fmt == "docx":
        return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    if fmt == "pdf":
        return [p.extract_text().split("\n") for p in pypdf.PdfReader(io.BytesIO(data)).pages]
    return data.decode("utf-8").split("\n")


def read_at(parsed: Any, loc: dict[str, Any]) -> str:
    """Return the text at a manifest location inside a parsed file."""
    if "column" in loc:
        rows = parsed[loc.get("sheet")]
        return str(rows[loc["row"] - 1][rows[0].index(loc["column"])])
    if "pointer" in loc:
        node = parsed
        for part in loc["pointer"].split("/")[1:]:
            key = part.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        return str(node)
    if "paragraph" in loc:
        return str(parsed[loc["paragraph"] - 1])
    if "page" in loc:
        return str(parsed[loc["page"] - 1][loc["line"] - 1])
    return str(parsed[loc["line"] - 1])


def _member(root: Path, entry: dict[str, Any]) -> tuple[bytes, str]:
    """Return the bytes and name of a file, or of the ZIP member the entry points into."""
    data = (root / entry["path"]).read_bytes()
    if entry["member"] is None:
        return data, entry["path"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(entry["member"]), entry["member"]


def _windows(text: str, size: int) -> list[str]:
    """Return every substring of ``size`` characters that starts and ends at a token edge."""
    out = []
    for a in range(len(text) - size + 1):
        b = a + size
        if (a == 0 or not text[a - 1].isalnum()) and (b == len(text) or not text[b].isalnum()):
            out.append(text[a:b])
    return out


def resolve(entry: dict[str, Any], text: str) -> str | None:
    """Return the raw value at a location whose mask matches the manifest and that validates."""
    entity = entry["entity"]
    if entity == "SECRET" and "PRIVATE KEY" in text:
        return None
    valid = RULES[entity][1] if entity in RULES else OTHER_RULES[entity]
    pattern = RULES[entity][0] if entity in RULES else ".+"
    hits = [
        c
        for c in _windows(text, len(entry["masked"]))
        if mask(c, entity) == entry["masked"] and re.fullmatch(pattern, c) and valid(c)
    ]
    assert hits, (entry, text)
    return hits[0]


@pytest.fixture(scope="module")
def resolved(estate) -> list[tuple[dict[str, Any], str | None]]:
    """Re-read every sensitive value in the manifest from its file."""
    root, manifest = estate
    cache: dict[tuple[str, str | None], Any] = {}
    out = []
    for entry in manifest["sensitive_values"]:
        key = (entry["path"], entry["member"])
        if key not in cache:
            cache[key] = parse(*_member(root, entry))
        out.append((entry, resolve(entry, read_at(cache[key], entry["location"]))))
    return out


def test_every_sensitive_value_is_found_and_validates_at_its_location(resolved) -> None:
    entities = {entry["entity"] for entry, _ in resolved}
    assert set(RULES) <= entities
    assert {"PERSON", "SECRET"} <= entities
    assert len(resolved) > 1000


def test_locations_use_the_shape_of_their_format(estate) -> None:
    _, manifest = estate
    keys = {
        "csv": {"row", "column"},
        "xlsx": {"sheet", "row", "column"},
        "json": {"pointer"},
        "docx": {"paragraph"},
        "pdf": {"page", "line"},
    }
    for v in manifest["sensitive_values"]:
        fmt = (v["member"] or v["path"]).rsplit(".", 1)[-1]
        assert set(v["location"]) == keys.get(fmt, {"line"}), v


def test_no_raw_value_appears_in_the_manifest(estate, resolved) -> None:
    root, _ = estate
    text = (root / "manifest.json").read_text()
    raws = {raw for _, raw in resolved if raw}
    tokens = set(re.findall(r"[A-Za-z0-9]+", text))
    leaked = [
        raw
        for raw in raws
        if raw in text
        and (not raw.isalnum() or raw in tokens)
        and re.search(rf"(?<![A-Za-z0-9]){re.escape(raw)}(?![A-Za-z0-9])", text)
    ]
    assert not leaked
    master = next(root.glob("shares/northbank/restricted/customer_master_*.csv"))
    for row in csv.DictReader(master.open(encoding="utf-8")):
        for column in ("card_number", "ssn", "account_number", "email", "full_name"):
            assert row[column] not in text


def test_every_valid_card_ssn_and_email_in_csv_files_is_listed(estate) -> None:
    root, manifest = estate
    listed = {
        (v["path"], v["location"].get("row"), v["location"].get("column"), v["entity"])
        for v in manifest["sensitive_values"]
        if v["member"] is None
    }
    checks = {
        "CREDIT_CARD": RULES["CREDIT_CARD"],
        "US_SSN": RULES["US_SSN"],
        "EMAIL_ADDRESS": RULES["EMAIL_ADDRESS"],
    }
    seen = 0
    for f in manifest["files"]:
        if f["format"] != "csv":
            continue
        rows = list(csv.reader((root / f["path"]).open(encoding="utf-8")))
        for r, row in enumerate(rows[1:], start=2):
            for column, cell in zip(rows[0], row, strict=True):
                for entity, (pattern, valid) in checks.items():
                    if any(valid(m.group(0)) for m in re.finditer(pattern, cell)):
                        assert (f["path"], r, column, entity) in listed, (f["path"], r, column)
                        seen += 1
    assert seen > 300


def test_clean_number_bait_does_not_validate(estate) -> None:
    root, _ = estate
    for path in root.glob("shares/*/general/*_20*.csv"):
        for row in csv.DictReader(path.open(encoding="utf-8")):
            assert not luhn.is_valid(row["order_number"])
            assert not ssn.is_valid(row["batch_id"])
