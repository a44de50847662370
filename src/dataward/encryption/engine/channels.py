"""Judge transfer channels: data must cross the network over SSH or TLS 1.2+, never in the clear."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Protocols that carry data in the clear, unless the register says the transport adds TLS/SSH.
PLAIN: dict[str, str] = {
    "ftp": "plain FTP",
    "http": "plain HTTP",
    "telnet": "Telnet",
    "tftp": "TFTP",
    "smtp": "SMTP without TLS",
    "rsync": "rsync without SSH",
}
#: Protocols that encrypt by design, and what encrypts them.
SECURE: dict[str, str] = {
    "sftp": "ssh",
    "scp": "ssh",
    "ssh": "ssh",
    "ftps": "tls",
    "https": "tls",
    "smtps": "tls",
    "as2s": "tls",
}
#: What a register may say encrypts the transport.
TRANSPORTS = ("tls", "ssh", "none", "")
#: Default ports, for records that give a URL or protocol without one.
PORTS = {"ftp": 21, "sftp": 22, "ssh": 22, "scp": 22, "telnet": 23, "http": 80, "https": 443}
PORTS |= {"ftps": 990, "smtp": 25, "smtps": 465, "tftp": 69, "rsync": 873}
#: Protocols whose host:port is a TLS endpoint dataward can check with sslyze directly.
TLS_ENDPOINT_PROTOCOLS = ("https",)
_VERSION = re.compile(r"^(?:tls\s*v?|tlsv)?\s*1[._](\d)$")
MIN_TLS = (1, 2)


@dataclass(frozen=True)
class Channel:
    """One transfer channel of a client's register."""

    ref: str
    protocol: str
    host: str = ""
    port: int | None = None
    url: str = ""
    transport: str = ""  # tls, ssh, none, or "" when the register does not say
    tls_min_version: str = ""  # normalised, e.g. "1.2"
    direction: str = ""
    purpose: str = ""
    approved: bool = True


@dataclass(frozen=True)
class ChannelVerdict:
    """What one channel's record says about its encryption."""

    ref: str
    status: str  # pass, fail, warning
    summary: str


def tls_version(text: str) -> str | None:
    """Return a TLS version written as 1.2, TLSv1.2 or 'TLS 1.2' as '1.2'; None if not one."""
    match = _VERSION.match(text.strip().lower())
    return f"1.{match.group(1)}" if match else None


def _label(c: Channel) -> str:
    where = f" to {c.host}" if c.host else ""
    return f"{c.ref} ({c.protocol}{where})"


def judge_channel(c: Channel) -> ChannelVerdict:
    """Fail a channel that moves data unencrypted or allows TLS below 1.2."""
    transport = c.transport or SECURE.get(c.protocol, "")
    if c.transport == "none" or (c.protocol in PLAIN and transport not in ("tls", "ssh")):
        what = PLAIN.get(c.protocol, c.protocol)
        return ChannelVerdict(c.ref, "fail", f"{_label(c)} moves data over {what}, unencrypted")
    if c.tls_min_version and tuple(int(p) for p in c.tls_min_version.split(".")) < MIN_TLS:
        summary = f"{_label(c)} allows TLS {c.tls_min_version}; TLS 1.2 is the minimum"
        return ChannelVerdict(c.ref, "fail", summary)
    if transport not in ("tls", "ssh"):
        summary = (
            f"{_label(c)}: the register does not say how {c.protocol} is encrypted; "
            "give transport_encryption (tls or ssh)"
        )
        return ChannelVerdict(c.ref, "warning", summary)
    if not c.approved:
        summary = f"{_label(c)} is encrypted ({transport}) but not approved for use"
        return ChannelVerdict(c.ref, "warning", summary)
    floor = f", TLS {c.tls_min_version}+" if c.tls_min_version else ""
    return ChannelVerdict(c.ref, "pass", f"{_label(c)} is encrypted ({transport}{floor})")
