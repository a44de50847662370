"""Read Windows event logs exported as JSON (Get-WinEvent, winlogbeat, evtx dumps)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from dataward.monitoring.engine.ingest.jsonarray import ArrayReader
from dataward.monitoring.engine.ingest.jsonl import json_reason, object_reason
from dataward.monitoring.engine.ingest.normalise import Normaliser, flatten
from dataward.monitoring.engine.ingest.records import (
    BOM,
    TOO_LONG,
    Malformed,
    Record,
    iter_lines,
    seek_to,
)

DATA = "winlog.event_data."
ALIASES = {
    "event.code": "event.code winlog.event_id EventID EventID.#text EventId Id event_id "
    "Event.System.EventID Event.System.EventID.#text System.EventID",
    "@timestamp": "@timestamp TimeCreated TimeCreated.SystemTime "
    "TimeCreated.#attributes.SystemTime TimeCreated.@SystemTime "
    "Event.System.TimeCreated.#attributes.SystemTime "
    "Event.System.TimeCreated.@SystemTime TimeGenerated winlog.time_created",
    "host.name": "host.name winlog.computer_name Computer MachineName Event.System.Computer",
    "event.provider": "event.provider winlog.provider_name ProviderName Provider Provider.Name "
    "Provider.#attributes.Name Provider.@Name Event.System.Provider.#attributes.Name "
    "Event.System.Provider.@Name SourceName",
    "winlog.channel": "winlog.channel LogName Channel Event.System.Channel",
    "winlog.record_id": "winlog.record_id RecordId EventRecordID Event.System.EventRecordID",
    "message": "message Message",
}
ALIAS_LIST = [(canonical, names.split()) for canonical, names in ALIASES.items()]
#: User-account management events: user.name is who acted (Subject), user.target.name the account.
ACCOUNT_CODES = frozenset(
    ["4720", "4722", "4723", "4724", "4725", "4726", "4738", "4740", "4767", "4781"]
)
DATA_PREFIXES = (DATA, "EventData.", "Event.EventData.", "event_data.", "Properties.")
GROUP_CODES = frozenset(
    [
        "4727",
        "4728",
        "4729",
        "4730",
        "4731",
        "4732",
        "4733",
        "4734",
        "4735",
        "4737",
        "4754",
        "4755",
        "4756",
        "4757",
        "4758",
    ]
)
COPIES = {
    "IpAddress": "source.ip",
    "WorkstationName": "source.domain",
    "LogonType": "winlog.logon.type",
    "ProcessName": "process.executable",
}


def _pairs(items: list[Any]) -> dict[str, Any]:
    """Turn EventData as a list (named or positional) into a dict; unnamed are paramN."""
    out: dict[str, Any] = {}
    for n, item in enumerate(items, 1):
        if isinstance(item, dict):
            attrs = item.get("#attributes")
            name = item.get("Name") or item.get("@Name")
            if name is None and isinstance(attrs, dict):
                name = attrs.get("Name")
            value = next((item[k] for k in ("Value", "#text", "value") if k in item), None)
            out[str(name) if name else f"param{n}"] = value
        else:
            out[f"param{n}"] = item
    return out


def _reshape(obj: dict[str, Any]) -> None:
    """Rewrite list-shaped EventData and Properties as dicts, in place."""
    event = obj.get("Event")
    for holder in (obj, event if isinstance(event, dict) else {}):
        data = holder.get("EventData")
        if isinstance(data, dict) and "Data" in data:
            data = data["Data"]
            holder["EventData"] = data if isinstance(data, dict) else {"Data": data}
        if isinstance(data, list):
            holder["EventData"] = _pairs(data)
    props = obj.get("Properties")
    if isinstance(props, list):
        obj["Properties"] = _pairs(props)


def windows_event(obj: dict[str, Any], norm: Normaliser) -> dict[str, Any]:
    """Return a Windows event as ECS fields; event data stays under winlog.event_data.*."""
    _reshape(obj)
    flat = flatten(obj)
    out: dict[str, Any] = {}
    for canonical, names in ALIAS_LIST:
        for name in names:
            if name in flat:
                value = flat.pop(name)
                out.setdefault(canonical, value)
    code = out.get("event.code")
    if code is not None:
        out["event.code"] = str(code).strip()
    target = norm.target
    for key, value in flat.items():
        prefix = next((p for p in DATA_PREFIXES if key.startswith(p)), None)
        if prefix is not None:
            if value in ("-", ""):
                continue
            key = DATA + key[len(prefix) :]
        name = target(key)
        if name:
            out[name] = value
    _derive(out, out.get("event.code"))
    return out


def _derive(out: dict[str, Any], code: Any) -> None:
    """Copy the event data ECS rules need into ECS fields (user, group, source, logon type)."""
    data = {k[len(DATA) :]: v for k, v in out.items() if k.startswith(DATA)}
    target, subject = data.get("TargetUserName"), data.get("SubjectUserName")
    if code in GROUP_CODES:
        _put(out, "group.name", target)
        _put(out, "user.name", subject)
        member = str(data.get("MemberName", ""))
        if member.upper().startswith("CN="):
            _put(out, "user.target.name", member[3:].split(",")[0])
    elif code in ACCOUNT_CODES and subject is not None:
        # an account was created, changed, reset or deleted: the actor is the subject
        _put(out, "user.name", subject)
        _put(out, "user.domain", data.get("SubjectDomainName"))
        _put(out, "user.target.name", target)
    elif target is not None or subject is not None:
        _put(out, "user.name", target if target is not None else subject)
        domain = data.get("TargetDomainName" if target is not None else "SubjectDomainName")
        _put(out, "user.domain", domain)
    for name, ecs in COPIES.items():
        _put(out, ecs, data.get(name))
    port = str(data.get("IpPort", ""))
    if port.isdigit() and port != "0":
        out.setdefault("source.port", int(port))
    ip = out.get("source.ip")
    if isinstance(ip, str) and ip.startswith("::ffff:"):
        out["source.ip"] = ip[7:]
    if data.get("ObjectType") == "File":
        _put(out, "file.path", data.get("ObjectName"))


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set ``out[key]`` unless it is set or ``value`` is empty."""
    if value is not None and value != "" and key not in out:
        out[key] = value if isinstance(value, int | float | list) else str(value)


def _is_array(stream: BinaryIO, start: int) -> tuple[bool, int]:
    """Return whether the file is a JSON array, and where to read from (past any BOM)."""
    try:
        seekable = bool(stream.seekable())
    except (AttributeError, OSError):
        seekable = False
    if seekable:
        stream.seek(0)
        head = stream.read(4096)
        stream.seek(start)
    elif start == 0:
        peek = getattr(stream, "peek", None)
        head = peek(4096)[:4096] if peek is not None else b""
    else:
        head = stream.read(min(start, 4096))
        seek_to(stream, start - len(head))
    bom = head.startswith(BOM)
    array = head[3 if bom else 0 :].lstrip().startswith(b"[")
    if array and bom and start == 0:
        stream.read(3)
        return True, 3
    return array, start


def _load(raw: bytes, line: int, end: int, lines: int, norm: Normaliser) -> Record:
    """Parse one JSON object and normalise it, or say why not."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            obj = orjson.loads(raw.rstrip(b"\r\n").decode("utf-8", "replace"))
        except orjson.JSONDecodeError as exc:
            return Malformed(line, end, json_reason(exc), lines)
    if not isinstance(obj, dict):
        return Malformed(line, end, object_reason(obj).replace("line", "element"), lines)
    return norm.finish(windows_event(obj, norm), line, end, lines)


def read_windows(
    stream: BinaryIO, norm: Normaliser, start: int, start_line: int
) -> Iterator[Record]:
    """Yield Windows events from JSON Lines or from one top-level JSON array."""
    resume = start > 0
    array, start = _is_array(stream, start)
    if array:
        # an element ends mid-line (before its comma): resuming, ``start`` is on start_line
        lines_before = max(start_line - 1, 0) if resume else start_line
        for el in ArrayReader(stream, start, lines_before, inside=resume):
            if el.problem is not None:
                yield Malformed(el.line, el.end, el.problem, el.lines)
            elif el.data is None:
                yield Malformed(el.line, el.end, "array element longer than 1 MiB", el.lines)
            else:
                yield _load(el.data, el.line, el.end, el.lines, norm)
        return
    for line, end, raw in iter_lines(stream, start, start_line):
        if not raw:
            yield Malformed(line, end, TOO_LONG)
        elif raw.strip():
            yield _load(raw, line, end, 1, norm)
