"""Read an import file's rows (CSV or XLSX) and parse fields with errors naming row and field."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from dataward.errors import ImportFileError

_NORM = re.compile(r"[^a-z0-9]+")
TRUE = frozenset({"true", "yes", "y", "1", "t", "enabled", "x"})
FALSE = frozenset({"false", "no", "n", "0", "f", "disabled", ""})


#: The longest cell an export may hold (the csv module's default field limit).
CELL_LIMIT = 131_072


def shape(value: str) -> str:
    """Describe a cell without quoting it: digits as 9, letters as a/A (never the value itself)."""
    text = str(value)[:40]
    masked = "".join(
        "9" if c.isdigit() else ("A" if c.isupper() else "a") if c.isalpha() else c for c in text
    )
    return f"looks like {masked!r}"


def shown(value: str, limit: int = 64) -> str:
    """Return a cell as an error may show it: as is when short and printable, else escaped."""
    text = str(value)
    return text if text.isprintable() and len(text) <= limit else repr(text[:limit])


def quoted(value: str) -> str:
    """Return a bad cell as an error may quote it: a short word as is, anything like data masked.

    A word such as ``retired`` helps the user find the cell; a cell with an ``@``, four digits or
    more, control characters or over 40 characters may be a misplaced sensitive value or a
    misread file, so only its shape is shown.
    """
    text = str(value)
    digits = sum(c.isdigit() for c in text)
    if text.isprintable() and len(text) <= 40 and "@" not in text and digits < 4:
        return repr(text)
    return f"({shape(text)})"


def _header_names(header: Sequence[str]) -> str:
    """Return the header's names for an error, masking cells that look like data, not names."""
    names = []
    for h in header[:12]:
        h = str(h).strip()
        if h:
            looks_like_data = "@" in h or sum(c.isdigit() for c in h) >= 4
            # A long or unprintable cell (a misread file) is shown masked and cut, on one line.
            looks_like_data = looks_like_data or len(h) > 40 or not h.isprintable()
            names.append(shape(h).removeprefix("looks like ") if looks_like_data else h)
    return ", ".join(names) + (", ..." if len(header) > 12 else "")


def norm(name: str) -> str:
    """Return a header reduced to lower-case words joined by underscores."""
    return _NORM.sub("_", str(name).strip().lower()).strip("_")


class Row:
    """One data row: fields by canonical name, parsed with errors that point at the cell."""

    def __init__(self, path: str, number: int, values: Mapping[str, str]) -> None:
        self.path = path
        self.number = number
        self.values = values

    def error(self, field: str, what: str, hint: str) -> ImportFileError:
        """Return the one-line error for a bad cell."""
        return ImportFileError(f"field {field!r} {what}", f"{self.path} row {self.number}", hint)

    def text(self, field: str, *, required: bool = False) -> str:
        """Return a cell's text, stripped; a required cell must not be empty."""
        value = (self.values.get(field) or "").strip()
        if required and not value:
            raise self.error(field, "is empty", "fill it in or remove the row")
        return value

    def flag(self, field: str, default: bool | None = False) -> bool | None:
        """Return a yes/no cell (true/false, yes/no, 1/0); empty gives ``default``."""
        value = self.text(field).lower()
        if not value:
            return default
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise self.error(field, f"is not yes/no ({shape(value)})", "write true or false")

    def day(self, field: str) -> date | None:
        """Return a date cell (YYYY-MM-DD, or an ISO timestamp's date); empty gives None."""
        value = self.text(field)
        if not value:
            return None
        try:
            if len(value) > 10 and value[10] not in "T ":
                raise ValueError(value)
            return date.fromisoformat(value[:10])
        except ValueError:
            raise self.error(field, f"is not a date ({shape(value)})", "write YYYY-MM-DD") from None

    def moment(self, field: str) -> datetime | None:
        """Return a timestamp cell as an aware UTC datetime (a bare date is midnight UTC)."""
        value = self.text(field)
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self.error(
                field,
                f"is not a timestamp ({shape(value)})",
                "write ISO 8601, e.g. 2026-11-28T09:30:00Z",
            ) from None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    def items(self, field: str) -> tuple[str, ...]:
        """Return a list cell split on ';', ',' or '|', without empties or repeats."""
        parts = re.split(r"[;,|]", self.text(field))
        return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


#: First bytes of an OLE compound file: a password-protected (encrypted) Office file or an .xls.
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
#: An XLSX whose parts unpack beyond this is refused before openpyxl reads it (a zip bomb).
MAX_XLSX_UNPACKED = 1024**3
#: A part bigger than 1 MB compressed more than this many times is refused (a zip bomb).
MAX_XLSX_RATIO = 500
_REEXPORT = "export it as CSV (UTF-8) or XLSX"


def _cells(path: Path) -> Iterator[list[str]]:
    """Yield every row of a CSV or XLSX file as strings."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ImportFileError(f"could not be read ({reason})", str(path), "check it") from None
    if head.startswith(OLE_MAGIC):
        raise ImportFileError(
            "is a password-protected (encrypted) or legacy .xls Office file",
            str(path),
            "save it as .xlsx without a password, or " + _REEXPORT,
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _xlsx(path)
        return
    if head.startswith((b"%PDF-", b"PK\x03\x04")):
        kind = "a PDF document" if head.startswith(b"%PDF-") else "a ZIP or XLSX file"
        raise ImportFileError(f"is {kind}, not CSV", str(path), _REEXPORT)
    text = _decode(path, path.read_bytes())
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    number = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            # The csv module's own limit is process-wide and a scan raises it; hold exports to
            # the default whatever ran before in this process.
            if any(len(cell) > CELL_LIMIT for cell in row):
                raise csv.Error(f"field larger than field limit ({CELL_LIMIT})")
            number += 1
            yield row
    except csv.Error as exc:
        # The csv module's messages name the problem, never the cell's text.
        raise ImportFileError(
            f"is not valid CSV ({exc})", f"{path} row {number + 1}", "re-export it"
        ) from None


def _decode(path: Path, raw: bytes) -> str:
    """Decode an export: UTF-16 with a BOM, UTF-8, Windows-1252 (Excel's usual), then a guess."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            good = raw[: exc.start - exc.start % 2].decode("utf-16", errors="replace")
            row = good.count("\n") + 1
            raise ImportFileError(
                f"is not valid UTF-16 text (a broken or cut-off character in row {row})",
                f"{path} row {row}",
                _REEXPORT,
            ) from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise ImportFileError("is not text", str(path), _REEXPORT)
    return str(best)


def _xlsx(path: Path) -> Iterator[list[str]]:
    """Yield the first sheet's rows as strings (dates as ISO text).

    A workbook openpyxl cannot open, or one that breaks part-way through its rows, is one
    error naming the file and the row; the library's own message is not passed on (it may
    quote the file's content).
    """
    from openpyxl import load_workbook

    hint = "open it in Excel and save it again as .xlsx, or export it as CSV"
    _refuse_zip_bomb(path, hint)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file, not a crash
        raise ImportFileError(
            f"is not a readable XLSX file ({type(exc).__name__})", str(path), hint
        ) from None
    try:
        if not book.worksheets:
            raise ImportFileError("has no worksheet", str(path), hint)
        rows = book.worksheets[0].iter_rows(values_only=True)
        number = 0
        while True:
            try:
                row = next(rows, None)
            except Exception as exc:  # noqa: BLE001 - as above, mid-rows
                raise ImportFileError(
                    f"is not a readable XLSX file: it breaks after row {number} "
                    f"({type(exc).__name__})",
                    f"{path} row {number + 1}",
                    hint,
                ) from None
            if row is None:
                return
            number += 1
            yield ["" if v is None else _xlsx_text(v) for v in row]
    finally:
        book.close()


def _refuse_zip_bomb(path: Path, hint: str) -> None:
    """Refuse a workbook whose parts would unpack to more than openpyxl should hold."""
    from zipfile import ZipFile

    try:
        with ZipFile(path) as archive:
            infos = archive.infolist()
    except Exception:  # noqa: BLE001 - load_workbook reports the broken file
        return
    total = sum(i.file_size for i in infos)
    bomb = any(
        i.file_size > 1024**2 and i.file_size > MAX_XLSX_RATIO * max(i.compress_size, 1)
        for i in infos
    )
    if total > MAX_XLSX_UNPACKED or bomb:
        raise ImportFileError(
            f"unpacks to {total // 1024**2:,} MB (compressed like a zip bomb)", str(path), hint
        )


def _xlsx_text(value: object) -> str:
    """Return a spreadsheet value as the text a CSV export would hold."""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(
    path: Path,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
    mapping: Mapping[str, str] | None = None,
) -> Iterator[Row]:
    """Yield the data rows of ``path`` with fields under their canonical names.

    ``columns`` maps each canonical field to the header spellings it accepts; ``mapping`` (from
    the user) maps a canonical field to the header their export uses. A required column that is
    missing is an error naming the file and the headers it has.
    """
    if not path.is_file():
        raise ImportFileError("file not found", str(path), "check the path")
    rows = _cells(path)
    header = next(rows, None)
    if not header:
        raise ImportFileError("is empty", str(path), "export the file again with its header row")
    heads = [norm(h) for h in header]
    for field, named in (mapping or {}).items():
        if field not in columns:
            raise ImportFileError(
                f"--map names unknown field {field!r}",
                str(path),
                f"use one of: {', '.join(columns)}",
            )
        if norm(named) not in heads:
            raise ImportFileError(
                f"has no column {named!r} (named by --map {field}=...; it has: "
                f"{_header_names(header)})",
                str(path),
                "check the header's spelling",
            )
    index: dict[str, int] = {}
    for field, spellings in columns.items():
        wanted = [norm((mapping or {}).get(field, ""))] + [norm(s) for s in (field, *spellings)]
        for spelling in wanted:
            if spelling and spelling in heads:
                index[field] = heads.index(spelling)
                break
    missing = [f for f in required if f not in index]
    if missing:
        hint = "rename the column" + (
            f" or map it with --map {missing[0]}=HEADER" if mapping is not None else ""
        )
        raise ImportFileError(
            f"has no {missing[0]!r} column (it has: {_header_names(header)})",
            str(path),
            hint,
        )
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {f: cells[i] if i < len(cells) else "" for f, i in index.items()}
        yield Row(str(path), number, values)
