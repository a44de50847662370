"""The device policy file: validation with one-line errors, and default -> site -> client."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dataward.devices.engine.policy import DEFAULT_FILE, builtin, from_dict, load_policy
from dataward.errors import ImportFileError


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("default: [1, 2]", "default is list, not a mapping"),
        ("colour: blue", "colour is not a known key"),
        ("default: {screen_lock: {within_minutes: 0}}", "default.screen_lock.within_minutes"),
        ("default: {screen_lock: {after: 5}}", "default.screen_lock.after is not a known key"),
        ("default: {os: {patch_within_days: soon}}", "default.os.patch_within_days"),
        ("default: {os: {minimum: {windows: [10]}}}", "default.os.minimum.windows"),
        ("default: {disk_encryption: maybe}", "default.disk_encryption"),
        ("default: {usb_storage: allowed}", "write blocked or off"),
        ("default: {local_admin: {agent_roles: {a: 1}}}", "default.local_admin.agent_roles"),
        ("default: {software: {approved: {beos: [x]}}}", "default.software.approved.beos"),
        ("sites: {Leeds: {firewall: sometimes}}", "sites.Leeds.firewall"),
        ("clients: {nobody: {firewall: off}}", "clients.nobody is not a known client"),
        ("default:\n  os: [\n", "line"),
    ],
)
def test_errors_name_the_file_and_the_field(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(ImportFileError) as err:
        load_policy(path, {"northbank"})
    line = err.value.line()
    assert all(part in line for part in ("policy.yaml", needle)), line
    assert "\n" not in line


def test_sections_merge_default_then_site_then_client() -> None:
    policy = from_dict(
        yaml.safe_load(
            """
            remote_sites: [Home]
            default:
              os: {minimum: {windows: "10.0.22631", macos: "14.0"}, patch_within_days: 30}
              screen_lock: {within_minutes: 15}
              firewall: required
            sites:
              Leeds: {os: {minimum: {macos: "15.0"}}, screen_lock: {within_minutes: 10}}
            clients:
              northbank: {screen_lock: {within_minutes: 5}, firewall: off}
            """
        ),
        "policy.yaml",
        {"northbank", "carewell"},
    )
    plain = policy.rules(None, "")
    assert plain.minimum == {"windows": "10.0.22631", "macos": "14.0"}
    assert (plain.lock_within_minutes, plain.firewall) == (15, True)
    leeds = policy.rules("carewell", "leeds")
    assert leeds.minimum == {"windows": "10.0.22631", "macos": "15.0"}  # merged key by key
    assert (leeds.lock_within_minutes, leeds.patch_within_days) == (10, 30)
    strict = policy.rules("northbank", "Leeds")
    assert (strict.lock_within_minutes, strict.firewall) == (5, False)  # the client's comes last
    assert policy.is_remote_site("home")
    assert not policy.is_remote_site("Leeds")


def test_off_turns_each_rule_off() -> None:
    rules = from_dict(
        {"default": {k: "off" for k in ("os", "disk_encryption", "local_admin", "security_agent",
                                           "firewall", "screen_lock", "usb_storage", "software")}},
        "p.yaml",
    ).rules(None, "")  # fmt: skip
    assert not (rules.os)
    assert not (rules.disk_encryption)
    assert not (rules.firewall)
    assert not (rules.usb_storage)
    assert rules.agent_roles is rules.agent_names is rules.lock_within_minutes is None
    assert rules.approved is None


def test_the_shipped_default_is_valid_and_used_until_one_is_loaded() -> None:
    policy = builtin()
    assert policy.source == "built-in default"
    rules = policy.rules("northbank", "")
    assert rules.disk_encryption
    assert rules.firewall
    assert rules.usb_storage
    assert rules.minimum
    assert rules.minimum["windows"] == "10.0.22631"
    assert rules.approved is None  # no approved-software list until one is written
    assert load_policy(DEFAULT_FILE).as_dict() == policy.as_dict()
