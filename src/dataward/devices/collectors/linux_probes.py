"""The Linux probes: each reads one thing about this machine and says how it decided.

Every probe is bounded (commands time out, files are read up to a limit) and returns None for
what it cannot tell, e.g. a kernel setting inside a container, where the host decides.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dataward.devices.collectors import Options
from dataward.devices.collectors.base import Found, read, run

ADMIN_GROUPS = ("sudo", "wheel", "admin")
MODPROBE_DIRS = ("/etc/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d", "/run/modprobe.d")
CLAMAV = ("/var/lib/clamav/daily.cld", "/var/lib/clamav/daily.cvd")
MAX_PROCESSES = 20000
IN_CONTAINER = "in a container: the host decides"
_USB = re.compile(r"^\s*(blacklist|install)\s+usb[-_]storage\b(.*)$", re.MULTILINE)
_HISTORY = re.compile(r"^Start-Date: (\d{4}-\d{2}-\d{2})", re.MULTILINE)


def in_container() -> bool:
    """Return whether this runs inside a container (Docker, Podman, LXC, Kubernetes)."""
    if Path("/.dockerenv").exists() or Path("/run/.containerenv").exists():
        return True
    cgroup = read("/proc/1/cgroup", 65536) or ""
    return any(word in cgroup for word in ("docker", "kubepods", "containerd", "lxc", "podman"))


def os_release(_: Options) -> dict[str, Found]:
    """Read /etc/os-release: the distribution's ID, name and version."""
    text = read("/etc/os-release", 65536) or read("/usr/lib/os-release", 65536)
    if text is None:
        note = "no /etc/os-release"
        return {k: (None, note) for k in ("os_id", "os_name", "os_version")}
    pairs = dict(re.findall(r'^([A-Z_]+)="?([^"\n]*)"?$', text, re.MULTILINE))
    note = "/etc/os-release"
    return {
        "os_id": (pairs.get("ID", "").lower() or None, note),
        "os_name": (pairs.get("PRETTY_NAME") or pairs.get("NAME") or None, note),
        "os_version": (pairs.get("VERSION_ID") or None, note),
    }


def packages(o: Options) -> Found:
    """List installed packages from dpkg's status file, else rpm."""
    status = read("/var/lib/dpkg/status", 64 << 20)
    if status is not None:
        names = [
            m.group(1)
            for block in status.split("\n\n")
            if "Status: install ok installed" in block
            for m in [re.search(r"^Package: (\S+)", block, re.MULTILINE)]
            if m
        ]
        return tuple(dict.fromkeys(names)), "/var/lib/dpkg/status"
    out = run(["rpm", "-qa", "--qf", "%{NAME}\n"], o.timeout * 4)
    if out is not None:
        return tuple(dict.fromkeys(n for n in out.splitlines() if n)), "rpm -qa"
    return None, "neither dpkg status nor rpm readable"


def last_patched(o: Options) -> Found:
    """Return the last package change: apt's history log, dpkg's file lists, or rpm."""
    history = read("/var/log/apt/history.log")
    days = _HISTORY.findall(history or "")
    if days:
        return max(days), "/var/log/apt/history.log (last Start-Date)"
    lists = Path("/var/lib/dpkg/info")
    if lists.is_dir():
        newest = 0.0
        for n, entry in enumerate(lists.glob("*.list")):
            if n > 50000:
                break
            newest = max(newest, entry.stat().st_mtime)
        if newest:
            return _iso(newest), "newest /var/lib/dpkg/info/*.list"
    out = run(["rpm", "-qa", "--qf", "%{INSTALLTIME}\n"], o.timeout * 4)
    stamps = [int(s) for s in (out or "").split() if s.isdigit()]
    if stamps:
        return _iso(max(stamps)), "rpm install times"
    return None, "no apt history, dpkg lists or rpm database readable"


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


def _chain(node: dict[str, Any], above: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Return the devices from a disk down to the one mounted at /, or None."""
    here = [*above, node]
    points = node.get("mountpoints") or [node.get("mountpoint")]
    if "/" in points:
        return here
    for child in node.get("children") or []:
        found = _chain(child, here)
        if found:
            return found
    return None


def encryption(o: Options) -> Found:
    """Return whether / sits on a LUKS or dm-crypt device (lsblk's tree)."""
    if in_container():
        return None, f"{IN_CONTAINER} (lsblk sees the host's disks)"
    out = run(["lsblk", "--json", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINT"], o.timeout)
    if out is None:
        return None, "lsblk not available"
    try:
        tree = json.loads(out).get("blockdevices") or []
    except (json.JSONDecodeError, AttributeError):
        return None, "lsblk output not readable"
    for disk in tree:
        chain = _chain(disk, [])
        if chain:
            path = " > ".join(
                f"{n.get('name')} ({n.get('fstype') or n.get('type')})" for n in chain
            )
            crypt = any(n.get("type") == "crypt" or n.get("fstype") == "crypto_LUKS" for n in chain)
            return crypt, f"lsblk: {path}"
    return None, "lsblk shows no device mounted at /"


def admins(o: Options) -> dict[str, Found]:
    """Return members of sudo, wheel and admin (/etc/group and primary groups in /etc/passwd)."""
    groups = read("/etc/group", 4 << 20)
    if groups is None:
        return {"local_admins": (None, "/etc/group not readable")}
    gids, members = set(), []
    for line in groups.splitlines():
        parts = line.split(":")
        if len(parts) >= 4 and parts[0] in ADMIN_GROUPS:
            gids.add(parts[2])
            members += [m for m in parts[3].split(",") if m]
    for line in (read("/etc/passwd", 4 << 20) or "").splitlines():
        parts = line.split(":")
        if len(parts) >= 4 and (parts[3] in gids or parts[2] == "0"):
            members.append(parts[0])
    found = tuple(dict.fromkeys(members))
    note = f"uid 0 and members of {', '.join(ADMIN_GROUPS)} (/etc/group, /etc/passwd)"
    out: dict[str, Found] = {"local_admins": (found, note)}
    if o.user:
        out["user_is_admin"] = (o.user.lower() in {m.lower() for m in found}, note)
    return out


def firewall(o: Options) -> Found:
    """Return whether a host firewall is on: ufw's config, nftables, iptables, firewalld."""
    if in_container():
        return None, f"{IN_CONTAINER} (the container has its own network namespace)"
    ufw = read("/etc/ufw/ufw.conf", 65536)
    if ufw and re.search(r"^ENABLED=yes", ufw, re.MULTILINE):
        return True, "/etc/ufw/ufw.conf: ENABLED=yes"
    nft = run(["nft", "-j", "list", "ruleset"], o.timeout)
    if nft is not None:
        drops = re.search(r'"hook":\s*"input".{0,80}"policy":\s*"drop"', nft, re.DOTALL)
        rules = nft.count('"rule"')
        return bool(drops or rules), f"nft list ruleset: {rules} rules"
    ipt = run(["iptables", "-S", "INPUT"], o.timeout)
    if ipt is not None:
        on = "-P INPUT DROP" in ipt or "-j DROP" in ipt or "-j REJECT" in ipt
        return on, "iptables -S INPUT"
    state = run(["firewall-cmd", "--state"], o.timeout)
    if state is not None:
        return state.strip() == "running", "firewall-cmd --state"
    return None, "no firewall configuration readable (ufw, nft, iptables, firewalld; try as root)"


def usb_storage(_: Options) -> Found:
    """Return whether usb-storage is blacklisted or disabled, and not loaded now."""
    if in_container():
        return None, f"{IN_CONTAINER} (the host's kernel loads modules)"
    loaded = re.search(r"^usb_storage\s", read("/proc/modules", 1 << 20) or "", re.MULTILINE)
    if loaded:
        return False, "/proc/modules: usb_storage is loaded"
    for folder in MODPROBE_DIRS:
        path = Path(folder)
        for conf in sorted(path.glob("*.conf"))[:500] if path.is_dir() else []:
            match = _USB.search(read(conf, 1 << 20) or "")
            if match:
                return True, f"{conf}: {match.group(1)} usb-storage"
    return False, "no blacklist or install line for usb-storage in modprobe.d"


def _home(user: str) -> str:
    """Return a user's home folder from /etc/passwd, or ''."""
    for line in (read("/etc/passwd", 4 << 20) or "").splitlines():
        parts = line.split(":")
        if len(parts) >= 6 and parts[0] == user:
            return parts[5]
    return ""


def _gsettings(o: Options, schema: str, key: str) -> str | None:
    """Read one GNOME setting as the machine's user (through runuser when run as root)."""
    argv = ["gsettings", "get", schema, key]
    home = _home(o.user) if o.user else ""
    if os.geteuid() == 0 and o.user and o.user != "root":
        if not home:
            return None
        argv = ["runuser", "-u", o.user, "--", *argv]
    return run(argv, o.timeout, {"HOME": home} if home else None)


def screen_lock(o: Options) -> dict[str, Found]:
    """Return the user's GNOME screen lock (gsettings); unknown without GNOME."""
    if not any(Path(p).exists() for p in ("/usr/bin/gnome-shell", "/usr/bin/gnome-session")):
        note = "no GNOME desktop installed (other desktops are not read yet)"
        return {"screen_lock": (None, note), "screen_lock_minutes": (None, note)}
    enabled = _gsettings(o, "org.gnome.desktop.screensaver", "lock-enabled")
    idle = _gsettings(o, "org.gnome.desktop.session", "idle-delay")
    if enabled is None or idle is None:
        note = f"gsettings could not read {o.user or 'the user'}'s settings"
        return {"screen_lock": (None, note), "screen_lock_minutes": (None, note)}
    seconds = int(re.findall(r"\d+", idle)[-1]) if re.findall(r"\d+", idle) else 0
    on = enabled.strip() == "true" and seconds > 0
    note = f"gsettings as {o.user or 'the caller'}: screensaver lock-enabled, session idle-delay"
    minutes = max(1, round(seconds / 60)) if on else None
    return {"screen_lock": (on, note), "screen_lock_minutes": (minutes, note)}


def agents(o: Options, catalogue: dict[str, tuple[str, ...]]) -> Found:
    """Return the security agents running, by process name (/proc/*/comm)."""
    wanted = {n: product for product, names in catalogue.items() for n in names}
    wanted.update({n.lower(): n for n in o.agents})
    proc = Path("/proc")
    if not proc.is_dir():
        return None, "/proc not readable"
    found: set[str] = set()
    for n, entry in enumerate(proc.iterdir()):
        if n > MAX_PROCESSES:
            break
        if entry.name.isdigit():
            comm = (read(entry / "comm", 256) or "").strip().lower()
            if comm in wanted:
                found.add(wanted[comm])
    return tuple(sorted(found)), f"/proc/*/comm against {len(wanted)} known agent process names"


def signatures(_: Options) -> Found:
    """Return when ClamAV's signature database last changed, if ClamAV is installed."""
    stamps = [Path(p).stat().st_mtime for p in CLAMAV if Path(p).is_file()]
    if not stamps:
        return None, "no ClamAV database (other agents report signatures to their console)"
    return _iso(max(stamps)), "ClamAV daily database"
