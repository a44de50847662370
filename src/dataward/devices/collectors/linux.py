"""Collect this Linux machine's posture: the dataward-device/1 document `devices collect` prints."""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import replace

from dataward.devices.collectors import Document, Options, collector
from dataward.devices.collectors import linux_probes as probe
from dataward.devices.collectors.base import Found, document, read, safely, safely_many
from dataward.devices.engine.queries import catalogue

DMI = "/sys/class/dmi/id"
JUNK = frozenset({"", "0", "none", "default string", "not specified", "to be filled by o.e.m.",
                  "system serial number"})  # fmt: skip


def _dmi(name: str) -> str:
    """Return a DMI field (serial numbers are readable by root only), or ''."""
    text = (read(f"{DMI}/{name}", 256) or "").strip()
    return "" if text.lower() in JUNK else text


def _user(options: Options) -> str:
    """Return the machine's user: --user, else whoever ran sudo, else the login name."""
    if options.user:
        return options.user
    try:
        return os.environ.get("SUDO_USER") or getpass.getuser()
    except (KeyError, OSError):
        return ""


def _each(options: Options) -> dict[str, Found]:
    """Run every probe; none may stop the others."""
    found: dict[str, Found] = {"os_family": ("linux", "sys.platform")}
    found.update(safely_many(probe.os_release, options, ("os_id", "os_name", "os_version")))
    found.update(safely_many(probe.admins, options, ("local_admins", "user_is_admin")))
    found.update(safely_many(probe.screen_lock, options, ("screen_lock", "screen_lock_minutes")))
    found["last_patched"] = safely(probe.last_patched, options)
    found["encrypted"] = safely(probe.encryption, options)
    found["firewall"] = safely(probe.firewall, options)
    found["usb_storage_blocked"] = safely(probe.usb_storage, options)
    found["software"] = safely(probe.packages, options)
    agents = catalogue().agents
    found["agents_running"] = safely(lambda o: probe.agents(o, agents), options)
    found["signatures_updated"] = safely(probe.signatures, options)
    return found


POSTURE_KEYS = (
    "os_family", "os_id", "os_name", "os_version", "last_patched", "encrypted", "local_admins",
    "user_is_admin", "agents_running", "signatures_updated", "signatures_current", "firewall",
    "screen_lock", "screen_lock_minutes", "usb_storage_blocked", "software",
)  # fmt: skip


@collector("linux")
def collect_linux(options: Options) -> Document:
    """Return this machine's device document; every field a probe cannot tell is null."""
    user = _user(options)
    found = _each(replace(options, user=user))
    for key in POSTURE_KEYS:
        found.setdefault(key, (None, "not probed on linux"))
    device = {
        "name": socket.gethostname(), "serial": _dmi("product_serial"),
        "model": _dmi("product_name"), "user": user, "employee_id": options.employee_id,
        "site": options.site, "remote": options.remote,
    }  # fmt: skip
    return document("linux", options, device, {k: found[k] for k in POSTURE_KEYS})
