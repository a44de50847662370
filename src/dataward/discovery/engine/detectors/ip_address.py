"""Detect IPv4 and IPv6 addresses, rejecting version strings and dotted build numbers."""

from __future__ import annotations

import ipaddress

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import Detector, Hit, clamp, words

VERSION = words(
    "version", "ver", "build", "release", "v", "firmware", "os", "tls", "ua", "kernel", "patch"
)
CONTEXT = words("ip", "ip address", "src", "dst", "client", "from", "host", "addr", "remote")
#: Version wording earlier on the line, up to 64 characters back
#: ("firmware updated from 1.0.4.12 to 1.0.4.15").
LINE_VERSION = words(
    "version", "versions", "firmware", "kernel", "upgrade", "upgraded", "upgrading",
    "downgrade", "downgraded", "rollback", "driver", "bios", "sdk",
)  # fmt: skip
#: Words that make a dotted quad an address even on a line about versions.
ADDRESS = words("ip", "ip address", "ipv4", "addr", "address", "src", "dst", "host", "remote")


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the address when ``ipaddress`` accepts it and it is not a version number."""
    text = ctx.text
    if text[start : start + 1] not in "0123456789abcdefABCDEF:":
        start += 1
    value = text[start:end]
    before, after = text[start - 1 : start], text[end : end + 2]
    if before in (".", "/", "v", "V", "-") or after[:1] in (".", "-") and after[1:2].isalnum():
        return []
    if ":" in value and (after[:1] == ":" and after[1:2].isalnum() or before == ":" != value[0]):
        return []
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return []
    if address.version == 6 and value.count(":") < 3 and "::" not in value:
        return []
    score = 0.85 + (0.1 if ctx.near(CONTEXT, start, end, 24) else 0.0)
    near = ctx.before(start, 16).rpartition("\n")[2]
    if address.version == 4 and (VERSION.search(near) or _versionish(ctx, start)):
        score -= 0.5
    if address.is_unspecified or address.is_loopback:
        score -= 0.3
    return [(start, end, clamp(score))]


def _versionish(ctx: Context, start: int) -> bool:
    """Return whether the line or column is about versions and nothing says "address"."""
    text = ctx.text
    line = text[max(text.rfind("\n", 0, start) + 1, start - 64) : start]
    if LINE_VERSION.search(line) and not ADDRESS.search(line[-24:]):
        return True
    label = ctx.labels(start) if ctx.tabular() else ""
    return bool(label and VERSION.search(label) and not ADDRESS.search(label))


DETECTOR = Detector(
    entity="IP_ADDRESS",
    patterns=(
        r"\b(?:\d{1,3}\.){3}\d{1,3}\b",
        r"(?i)\b[0-9a-f]{1,4}:[0-9a-f:]{3,38}[0-9a-f]\b",
        r"(?i)(?:^|[^0-9a-z:])::[0-9a-f:]{0,36}[0-9a-f]\b",
    ),
    check=_check,
    rank=14,
)
