"""Name TLS endpoints (HOST:PORT), read endpoint lists, and judge an endpoint's latest result."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from dataward.core.engine.tabular import quoted, read_rows
from dataward.encryption.engine.profile import TlsProfile
from dataward.encryption.engine.tls_facts import TlsFacts, endpoint_label
from dataward.encryption.engine.tls_judge import describe, judge, verdict
from dataward.errors import DatawardError, ImportFileError

#: A stored result older than this many days no longer counts as current.
MAX_RESULT_AGE_DAYS = 30
PROTOCOLS = ("https", "tls")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.I)
_TARGET = re.compile(r"^(?:\[(?P<v6>[0-9a-fA-F:.]+)\]|(?P<host>[^:\[\]]+))(?::(?P<port>\d+))?$")
COLUMNS: dict[str, tuple[str, ...]] = {
    "host": ("hostname", "endpoint", "server"),
    "port": (),
    "purpose": ("description",),
    "protocol": ("kind",),
}


@dataclass(frozen=True)
class Endpoint:
    """One in-scope TLS endpoint of a client."""

    host: str
    port: int
    purpose: str = ""
    protocol: str = "https"  # https (HSTS judged) or tls
    source: str = ""

    @property
    def label(self) -> str:
        """Return HOST:PORT."""
        return endpoint_label(self.host, self.port)


def valid_host(host: str) -> bool:
    """Return whether ``host`` is an IP address or a DNS name."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    return len(host) <= 253 and all(_LABEL.match(label) for label in labels)


def parse_target(text: str, where: str = "HOST:PORT") -> tuple[str, int]:
    """Return (host, port) from HOST:PORT, [IPv6]:PORT or HOST (port 443)."""
    match = _TARGET.match(text.strip())
    host = (match.group("v6") or match.group("host") or "") if match else ""
    if not match or not valid_host(host):
        hint = "write HOST:PORT, e.g. api.example.com:443 or [2001:db8::1]:443"
        raise DatawardError(f"{text!r} is not a host and port", where, hint)
    port = int(match.group("port") or 443)
    if not 0 < port < 65536:
        raise DatawardError(f"port {port} is out of range", where, "use 1 to 65535")
    return host.lower(), port


def protocol_for(port: int, given: str = "") -> str:
    """Return the endpoint's kind: as given, else https on 443 and 8443, else tls."""
    if given:
        if given not in PROTOCOLS:
            raise DatawardError(f"no protocol {given!r}", "--protocol", "use https or tls")
        return given
    return "https" if port in (443, 8443) else "tls"


def read_endpoints(path: Path) -> list[Endpoint]:
    """Return the endpoints of a CSV or XLSX list (host, port, purpose, protocol), all or none."""
    out: dict[tuple[str, int], Endpoint] = {}
    for row in read_rows(path, COLUMNS, ["host"]):
        raw = row.text("host", required=True)
        port_text = row.text("port")
        target = f"{raw}:{port_text}" if port_text and ":" not in raw.strip("[]") else raw
        try:
            host, port = parse_target(target)
        except DatawardError:
            hint = "write a host name or IP address, and a port from 1 to 65535"
            raise row.error("host", "is not a host and port", hint) from None
        protocol = row.text("protocol").lower()
        if protocol and protocol not in PROTOCOLS:
            raise row.error("protocol", f"is {quoted(protocol)}", "write https or tls")
        if (host, port) in out:
            raise row.error("host", f"{endpoint_label(host, port)} appears twice", "list it once")
        source = f"file {path.name}"
        purpose = row.text("purpose")
        out[(host, port)] = Endpoint(host, port, purpose, protocol_for(port, protocol), source)
    if not out:
        raise ImportFileError("lists no endpoint", str(path), "add a row per HOST and PORT")
    return list(out.values())


@dataclass(frozen=True)
class EndpointStatus:
    """How one in-scope endpoint stands now: a check status, summary and evidence."""

    status: str  # pass, warning, fail
    summary: str
    findings: tuple[dict[str, str], ...] = ()


def endpoint_status(
    endpoint: Endpoint,
    latest: TlsFacts | None,
    profile: TlsProfile,
    now: datetime,
    max_age_days: int = MAX_RESULT_AGE_DAYS,
    client: str = "CLIENT",
) -> EndpointStatus:
    """Judge an endpoint by its latest stored result, re-judged as of ``now``.

    Never checked, unreachable, or checked too long ago is a warning naming the command to run;
    a result that fails the profile fails whatever its age (the last known state is failing).
    """
    command = f"dataward tls check {endpoint.label} --client {client}"
    if latest is None:
        return EndpointStatus("warning", f"{endpoint.label} was never checked: run {command}")
    findings = judge(latest, profile, now, https=endpoint.protocol == "https")
    rows = tuple({"code": f.code, "status": f.status, "message": f.message} for f in findings)
    worst = verdict(findings)
    day = latest.checked_at.date().isoformat()
    age = (now - latest.checked_at) // timedelta(days=1)
    if worst == "fail":
        return EndpointStatus(
            "fail", f"{endpoint.label} (checked {day}): {describe(findings)}", rows
        )
    if worst == "error":
        summary = f"{endpoint.label} could not be checked on {day}: {latest.error}; run {command}"
        return EndpointStatus("warning", summary, rows)
    if age > max_age_days:
        summary = f"{endpoint.label} was last checked {age} days ago ({day}): run {command}"
        return EndpointStatus("warning", summary, rows)
    if worst == "warning":
        return EndpointStatus(
            "warning", f"{endpoint.label} (checked {day}): {describe(findings)}", rows
        )
    summary = f"{endpoint.label} meets {profile.label} (checked {day})"
    return EndpointStatus("pass", summary, rows)
