"""Load and validate the device policy (YAML) with one-line errors naming the field.

Shape (see docs/devices.md and the shipped default, dataward/devices/policy.yaml)::

    remote_sites: [Home]                 # devices at these sites count as remote
    default:                             # every device, unless a site or client says otherwise
      check_in_within_days: 14
      os: {minimum: {windows: "10.0.22631", macos: "14.7"}, patch_within_days: 30}
      disk_encryption: required
      local_admin: {agent_roles: [agent, team_lead], allowed_accounts: [root, Administrator]}
      security_agent: {names: ["Microsoft Defender*"], signatures_within_days: 7}
      firewall: required
      screen_lock: {within_minutes: 15}
      usb_storage: blocked
      software: {approved: {macos: ["Google Chrome*"], windows: ["Microsoft *"]}}
    sites: {Leeds: {...}}                # overrides for devices at a site
    clients: {northbank: {screen_lock: {within_minutes: 5}}}   # a client's contract

A device judged for a client follows default, then its site's section, then the client's;
mappings merge key by key, anything else is replaced; ``off`` turns a rule off.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dataward.core.engine.tabular import quoted
from dataward.devices.engine.types import FAMILIES
from dataward.errors import ImportFileError

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "policy.yaml"
TOP_KEYS = ("remote_sites", "default", "sites", "clients")
RULE_KEYS = (
    "check_in_within_days", "os", "disk_encryption", "local_admin", "security_agent",
    "firewall", "screen_lock", "usb_storage", "software",
)  # fmt: skip
OFF = "off"
AGENT_ROLES = ("agent", "team_lead")
SWITCHES = {"disk_encryption": "required", "firewall": "required", "usb_storage": "blocked"}


@dataclass(frozen=True)
class Rules:
    """The rules one device is judged by (None, or False for a switch: the rule is off)."""

    minimum: dict[str, str] | None = None  # OS key -> oldest supported version; None: any OS
    patch_within_days: int | None = None
    os: bool = True
    disk_encryption: bool = True
    agent_roles: tuple[str, ...] | None = AGENT_ROLES  # None: the rule is off
    allowed_admins: tuple[str, ...] = ()
    agent_names: tuple[str, ...] | None = ()  # None: the rule is off; (): any agent counts
    signatures_within_days: int | None = None
    firewall: bool = True
    lock_within_minutes: int | None = 15  # None: the rule is off
    usb_storage: bool = True
    approved: dict[str, tuple[str, ...]] | None = None  # family -> globs; "*" for every family
    check_in_within_days: int | None = None


@dataclass(frozen=True)
class Policy:
    """The device policy in force: sections by site and client, and where it came from."""

    default: dict[str, Any]
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    remote_sites: tuple[str, ...] = ()
    source: str = "built-in default"
    _memo: dict[tuple[str, str], Rules] = field(default_factory=dict, compare=False, repr=False)
    _remote: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def is_remote_site(self, site: str) -> bool:
        """Return whether devices at this site count as remote."""
        if site not in self._remote:
            self._remote[site] = site.strip().lower() in {s.lower() for s in self.remote_sites}
        return self._remote[site]

    def rules(self, client: str | None, site: str) -> Rules:
        """Return the rules for a device at ``site`` judged for ``client`` (None: the operation)."""
        key = (client or "", site.strip().lower())
        if key not in self._memo:  # one policy judges thousands of devices
            self._memo[key] = _rules(self, *key)
        return self._memo[key]

    def as_dict(self) -> dict[str, Any]:
        """Return the policy as plain data, in the file's own shape."""
        return {
            "remote_sites": list(self.remote_sites),
            "default": self.default,
            "sites": self.sites,
            "clients": self.clients,
        }


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``top`` laid over it: mappings merge, anything else is replaced."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _rules(policy: Policy, client: str, site: str) -> Rules:
    """Return the rules merged from the default, the site's and the client's sections."""
    body = policy.default
    sites = {k.lower(): s for k, s in policy.sites.items()}
    body = _merge(body, sites.get(site, {}))
    body = _merge(body, policy.clients.get(client, {}))
    os_rule = body.get("os", {})
    admin = body.get("local_admin", {})
    agent = body.get("security_agent", {})
    lock = body.get("screen_lock", {})
    software = body.get("software", {})
    approved = software.get("approved") if isinstance(software, dict) else None
    if isinstance(approved, list):
        approved = {"*": approved}
    stale = body.get("check_in_within_days")  # "off": never judged stale
    return Rules(
        minimum=dict(os_rule.get("minimum") or {}) or None if os_rule != OFF else None,
        patch_within_days=os_rule.get("patch_within_days") if os_rule != OFF else None,
        os=os_rule != OFF,
        disk_encryption=body.get("disk_encryption", "required") != OFF,
        agent_roles=None if admin == OFF else tuple(admin.get("agent_roles", AGENT_ROLES)),
        allowed_admins=() if admin == OFF else tuple(admin.get("allowed_accounts", ())),
        agent_names=None if agent == OFF else tuple(agent.get("names", ())),
        signatures_within_days=None if agent == OFF else agent.get("signatures_within_days"),
        firewall=body.get("firewall", "required") != OFF,
        lock_within_minutes=None if lock == OFF else lock.get("within_minutes", 15),
        usb_storage=body.get("usb_storage", "blocked") != OFF,
        approved=None if not approved else {k: tuple(g) for k, g in approved.items()},
        check_in_within_days=None if stale == OFF else stale,
    )


class _Spec:
    """Validate parsed YAML with errors naming the file and the key path."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, what: str, hint: str) -> ImportFileError:
        return ImportFileError(f"{key} {what}", self.where, hint)

    def mapping(self, value: Any, key: str, allowed: tuple[str, ...] | None) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, f"is {type(value).__name__}, not a mapping", "write key: value")
        body = {str(k): v for k, v in value.items()}
        unknown = sorted(set(body) - set(allowed)) if allowed is not None else []
        if unknown:
            name = f"{key}.{unknown[0]}" if key else unknown[0]
            raise self.fail(name, "is not a known key", f"use {', '.join(allowed or ())}")
        return body

    def names(self, value: Any, key: str) -> list[str]:
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(x, str | int) and not isinstance(x, bool) for x in value
        ):
            raise self.fail(key, "is not a list of names", "write e.g. [agent, team_lead]")
        return list(dict.fromkeys(str(x).strip() for x in value if str(x).strip()))

    def whole(self, value: Any, key: str, low: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(
                key, f"is {quoted(str(value))}, not a whole number >= {low}", "write e.g. 30"
            )
        return value

    def switch(self, value: Any, key: str, on: str) -> str:
        text = str(value).strip().lower() if not isinstance(value, bool) else ""
        if value is False:
            text = OFF
        if text not in (on, OFF):
            raise self.fail(key, f"is {quoted(str(value))}", f"write {on} or {OFF}")
        return text

    def section(self, value: Any, key: str) -> dict[str, Any]:
        """Return one validated section (default, a site's, a client's); keys may be omitted."""
        body = self.mapping(value, key, RULE_KEYS)
        out: dict[str, Any] = {}
        for name, item in body.items():
            path = f"{key}.{name}"
            if item == OFF or item is False:
                out[name] = OFF
            elif name in SWITCHES:
                out[name] = self.switch(item, path, SWITCHES[name])
            elif name == "check_in_within_days":
                out[name] = self.whole(item, path)
            else:
                out[name] = getattr(self, f"_{name}")(item, path)
        return out

    def _os(self, value: Any, key: str) -> dict[str, Any]:
        body = self.mapping(value, key, ("minimum", "patch_within_days"))
        out: dict[str, Any] = {}
        if "minimum" in body:
            minimum = self.mapping(body["minimum"], f"{key}.minimum", None)
            for os_key, version in minimum.items():
                if not isinstance(version, str | int | float) or isinstance(version, bool):
                    raise self.fail(f"{key}.minimum.{os_key}", "is not a version", 'write "14.7"')
            out["minimum"] = {k.lower(): str(ver) for k, ver in minimum.items()}
        if "patch_within_days" in body:
            out["patch_within_days"] = self.whole(
                body["patch_within_days"], f"{key}.patch_within_days"
            )
        return out

    def _local_admin(self, value: Any, key: str) -> dict[str, Any]:
        body = self.mapping(value, key, ("agent_roles", "allowed_accounts"))
        return {k: self.names(item, f"{key}.{k}") for k, item in body.items()}

    def _security_agent(self, value: Any, key: str) -> dict[str, Any]:
        body = self.mapping(value, key, ("names", "signatures_within_days"))
        out: dict[str, Any] = {}
        if "names" in body:
            out["names"] = self.names(body["names"], f"{key}.names")
        if "signatures_within_days" in body:
            days = body["signatures_within_days"]
            out["signatures_within_days"] = self.whole(days, f"{key}.signatures_within_days")
        return out

    def _screen_lock(self, value: Any, key: str) -> dict[str, Any]:
        body = self.mapping(value, key, ("within_minutes",))
        return {"within_minutes": self.whole(body.get("within_minutes"), f"{key}.within_minutes")}

    def _software(self, value: Any, key: str) -> dict[str, Any]:
        body = self.mapping(value, key, ("approved",))
        approved = body.get("approved")
        if isinstance(approved, dict):
            unknown = sorted(set(map(str, approved)) - set(FAMILIES) - {"*"})
            if unknown:
                raise self.fail(f"{key}.approved.{unknown[0]}", "is not an OS family",
                                f"use {', '.join(FAMILIES)}")  # fmt: skip
            return {"approved": {str(k): self.names(g, f"{key}.approved.{k}")
                                 for k, g in approved.items()}}  # fmt: skip
        return {"approved": self.names(approved, f"{key}.approved")}


def from_dict(data: Any, where: str, clients: Collection[str] | None = None) -> Policy:
    """Return a validated policy from parsed YAML; ``clients`` are the known client slugs."""
    spec = _Spec(where)
    top = spec.mapping(data, "", TOP_KEYS)
    sites = spec.mapping(top.get("sites"), "sites", None)
    named = spec.mapping(top.get("clients"), "clients", None)
    for slug in named:
        if clients is not None and slug.lower() not in clients:
            raise spec.fail(f"clients.{slug}", "is not a known client",
                            "add it with dataward clients add, or fix the slug")  # fmt: skip
    remote = top.get("remote_sites")
    return Policy(
        default=spec.section(top.get("default"), "default"),
        sites={k: spec.section(s, f"sites.{k}") for k, s in sites.items()},
        clients={k.lower(): spec.section(s, f"clients.{k}") for k, s in named.items()},
        remote_sites=tuple(spec.names(remote, "remote_sites")) if remote is not None else (),
        source=where,
    )


def load_policy(path: Path, clients: Collection[str] | None = None) -> Policy:
    """Read a device policy YAML file, with one-line errors naming the file and the field."""
    if not path.is_file():
        raise ImportFileError("file not found", str(path), "check the path")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path} line {mark.line + 1}" if mark else str(path)
        raise ImportFileError(
            "is not valid YAML", where, "fix the indentation or quoting"
        ) from None
    return from_dict(data, str(path), clients)


@cache
def builtin() -> Policy:
    """Return the shipped default policy, used until a policy file is loaded."""
    policy = load_policy(DEFAULT_FILE)
    return Policy(policy.default, policy.sites, policy.clients, policy.remote_sites)
