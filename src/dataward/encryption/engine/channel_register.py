"""Read a transfer-channel register (JSON, CSV or XLSX) into Channel records, row by row.

JSON is ``{"channels": [...]}`` or a bare list of records; CSV and XLSX have one channel per
row. Fields: id (required), client, protocol (or taken from url), url, host, port,
transport_encryption, tls_min_version, direction, purpose, approved. A bad record is one error
naming the file, the record and the field; nothing is returned until every record is good.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dataward.core.engine.tabular import Row, quoted, read_rows, shape
from dataward.encryption.engine.channels import PORTS, TRANSPORTS, Channel, tls_version
from dataward.errors import ImportFileError

COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("ref", "channel", "channel_id", "name"),
    "client": ("client_slug",),
    "protocol": ("scheme",),
    "url": ("endpoint", "address"),
    "host": ("hostname", "server"),
    "port": (),
    "transport_encryption": ("transport", "encryption"),
    "tls_min_version": ("min_tls", "tls_minimum", "minimum_tls"),
    "direction": (),
    "purpose": ("description",),
    "approved": (),
}
_PROTOCOL = re.compile(r"^[a-z][a-z0-9+.-]{0,15}$")


class _Record(Row):
    """A JSON record read like a row, with errors naming the record instead of a row."""

    def error(self, field: str, what: str, hint: str) -> ImportFileError:
        """Return the one-line error for a bad field of this record."""
        return ImportFileError(f"field {field!r} {what}", f"{self.path} record {self.number}", hint)


@dataclass(frozen=True)
class RegisterRow:
    """One channel and the client slug its record names ("" when it names none)."""

    client: str
    channel: Channel


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_rows(path: Path) -> Iterator[Row]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise ImportFileError("is not readable JSON", str(path), "fix or re-export it") from None
    records = data.get("channels") if isinstance(data, dict) else data
    if not isinstance(records, list):
        hint = 'write {"channels": [...]} or a list of records'
        raise ImportFileError("holds no list of channels", str(path), hint)
    for number, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            where = f"{path} record {number}"
            raise ImportFileError("is not an object", where, "write one object per channel")
        values = {k: _cell(record.get(k)) for k in COLUMNS if k in record}
        for field, spellings in COLUMNS.items():
            for alias in spellings:
                if field not in values and alias in record:
                    values[field] = _cell(record[alias])
        yield _Record(str(path), number, values)


def rows_of(path: Path) -> Iterator[Row]:
    """Yield the register's records as rows, whatever the file format."""
    if not path.is_file():
        raise ImportFileError("file not found", str(path), "check the path")
    if path.suffix.lower() == ".json":
        yield from _json_rows(path)
    else:
        yield from read_rows(path, COLUMNS, ["id"])


def without_credentials(url: str) -> str:
    """Return a URL without user name, password or query (registers should hold none).

    The query goes too: transfer URLs carry tokens there (an Azure SAS ``sig=``, a presigned
    S3 ``X-Amz-Signature=``, an ``api_key=``), and no check reads it.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc and not parts.query and not parts.fragment:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=netloc, query="", fragment="").geturl()


def _port(row: Row, protocol: str, parsed_port: int | None) -> int | None:
    text = row.text("port")
    if not text:
        return parsed_port or PORTS.get(protocol)
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise row.error(
            "port", f"is not a port number ({shape(text)})", "write a number from 1 to 65535"
        )
    return int(text)


def parse_row(row: Row) -> RegisterRow:
    """Return one record as a channel, or raise the error naming its field."""
    ref = row.text("id", required=True)
    url = row.text("url")
    parts = urlsplit(url) if url else None
    if url and (parts is None or not parts.scheme or not parts.hostname):
        raise row.error("url", "is not a URL with a scheme and host", "write e.g. sftp://host:22/")
    scheme = parts.scheme.lower() if parts else ""
    protocol = row.text("protocol").lower() or scheme
    if not protocol:
        raise row.error("protocol", "is empty and no url gives one", "write e.g. sftp or https")
    if not _PROTOCOL.match(protocol):
        what = f"is not a protocol name ({shape(protocol)})"
        raise row.error("protocol", what, "write a scheme such as sftp or https")
    if scheme and scheme != protocol:
        hint = "make them agree"
        raise row.error("protocol", f"disagrees: the url says {quoted(scheme)}", hint)
    transport = row.text("transport_encryption").lower()
    if transport not in TRANSPORTS:
        what = f"is not tls, ssh or none ({shape(transport)})"
        raise row.error("transport_encryption", what, "write tls, ssh or none")
    raw_tls = row.text("tls_min_version")
    tls = tls_version(raw_tls) if raw_tls else ""
    if tls is None:
        what = f"is not a TLS version ({shape(raw_tls)})"
        raise row.error("tls_min_version", what, "write a version such as 1.2")
    try:
        parsed_port = parts.port if parts else None
    except ValueError:
        raise row.error("url", "has a bad port", "write e.g. https://host:443/") from None
    channel = Channel(
        ref=ref,
        protocol=protocol,
        host=row.text("host") or (parts.hostname if parts and parts.hostname else ""),
        port=_port(row, protocol, parsed_port),
        url=without_credentials(url),
        transport=transport,
        tls_min_version=tls,
        direction=row.text("direction").lower(),
        purpose=row.text("purpose"),
        approved=bool(row.flag("approved", default=True)),
    )
    return RegisterRow(row.text("client"), channel)


def read_register(path: Path) -> list[RegisterRow]:
    """Return every record of a register file; a bad or repeated record raises one error."""
    out: list[RegisterRow] = []
    seen: set[tuple[str, str]] = set()
    for row in rows_of(path):
        item = parse_row(row)
        key = (item.client, item.channel.ref)
        if key in seen:
            hint = "give each channel its own id"
            raise row.error("id", f"{quoted(item.channel.ref)} appears twice", hint)
        seen.add(key)
        out.append(item)
    return out
