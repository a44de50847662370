"""Each device rule: pass, fail, unknown (never a pass on silence) and not applicable."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from dataward.access.engine.types import Person
from dataward.devices.engine.judge import entries, findings, in_scope
from dataward.devices.engine.policy import Policy, Rules
from dataward.devices.engine.rules import Judging, judge
from dataward.devices.engine.types import Device, Posture

TODAY = date(2026, 11, 28)
RULES = Rules(
    minimum={"windows": "10.0.22631", "macos": "14.7", "ubuntu": "22.04"},
    patch_within_days=30,
    agent_roles=("agent", "team_lead"),
    allowed_admins=("Administrator", "root"),
    agent_names=("Microsoft Defender*", "CrowdStrike Falcon"),
    signatures_within_days=7,
    lock_within_minutes=15,
    approved={"macos": ("Google Chrome*", "Safari*")},
)
WIN = {
    "os_family": "windows", "os_id": "windows", "os_name": "Windows",
    "os_version": "10.0.22631.4460",
}  # fmt: skip
ROWS: list[tuple[str, dict[str, Any], str | None, str, str]] = [
    # check, posture, role, expected status, words in the reason
    ("os", {**WIN, "last_patched": date(2026, 11, 20)}, "agent", "pass", "patched 2026-11-20"),
    ("os", {**WIN, "os_version": "10.0.19045", "last_patched": date(2026, 11, 20)}, "agent",
     "fail", "older than the oldest supported"),
    ("os", {**WIN, "last_patched": date(2026, 9, 1)}, "agent", "fail", "88 days ago, over 30"),
    ("os", {"os_family": "linux", "os_id": "fedora", "os_version": "41",
            "last_patched": date(2026, 11, 20)}, "agent", "fail", "not a supported OS"),
    ("os", {**WIN}, "agent", "unknown", "last patch date"),
    ("os", {}, "agent", "unknown", "OS and its version"),
    ("disk", {"encrypted": True}, "agent", "pass", "is encrypted"),
    ("disk", {"encrypted": False}, "agent", "fail", "not encrypted"),
    ("disk", {}, "agent", "unknown", "does not say"),
    ("admin", {"local_admins": ("Administrator",), "user_is_admin": False}, "agent", "pass",
     "no local administrator"),
    ("admin", {"local_admins": ("root", "u7")}, "agent", "fail", "beyond the allowed accounts: u7"),
    ("admin", {"user_is_admin": True}, "team lead", "fail", "user is a local administrator"),
    ("admin", {"local_admins": ("ann@corp.example",)}, None, "fail", "a***@corp.example"),
    ("admin", {"local_admins": ("u7",)}, "it_admin", "not_applicable", "not an agent"),
    ("admin", {}, "agent", "unknown", "does not list"),
    ("agent", {"agents_running": ("CrowdStrike Falcon",), "signatures_updated": date(2026, 11, 27)},
     "agent", "pass", "signatures from 2026-11-27"),
    ("agent", {"agents_running": ("Microsoft Defender",), "signatures_current": True}, "agent",
     "pass", "up to date"),
    ("agent", {"agents_running": ("ClamAV",)}, "agent", "fail", "no approved security agent"),
    ("agent", {"agents_running": ()}, "agent", "fail", "no approved security agent"),
    ("agent", {"agents_running": ("CrowdStrike Falcon",), "signatures_updated": date(2026, 11, 1)},
     "agent", "fail", "27 days"),
    ("agent", {"agents_running": ("Microsoft Defender",), "signatures_current": False}, "agent",
     "fail", "out of date"),
    ("agent", {"agents_running": ("CrowdStrike Falcon",)}, "agent", "unknown", "signature date"),
    ("agent", {"agents_running": ("(unnamed agent)",)}, "agent", "unknown", "does not name it"),
    ("agent", {}, "agent", "unknown", "which security agent"),
    ("firewall", {"firewall": True}, "agent", "pass", "is on"),
    ("firewall", {"firewall": False}, "agent", "fail", "is off"),
    ("firewall", {}, "agent", "unknown", "does not say"),
    ("lock", {"screen_lock": True, "screen_lock_minutes": 5}, "agent", "pass", "after 5 minutes"),
    ("lock", {"screen_lock": True, "screen_lock_minutes": 30}, "agent", "fail", "over the 15"),
    ("lock", {"screen_lock": False}, "agent", "fail", "never locks"),
    ("lock", {"screen_lock": True}, "agent", "unknown", "after how long"),
    ("lock", {}, "agent", "unknown", "does not give"),
    ("usb", {"usb_storage_blocked": True}, "agent", "pass", "is blocked"),
    ("usb", {"usb_storage_blocked": False}, "agent", "fail", "not blocked"),
    ("usb", {}, "agent", "unknown", "does not say"),
    ("software", {"os_family": "macos", "software": ("Safari.app", "Google Chrome.app")}, "agent",
     "pass", "all 2 installed programs"),
    ("software", {"os_family": "macos", "software": ("Safari.app", "AnyDesk.app")}, "agent",
     "fail", "1 unapproved programs installed: AnyDesk.app"),
    ("software", {"os_family": "macos"}, "agent", "unknown", "does not list"),
    ("software", {"os_family": "windows", "software": ("x",)}, "agent", "not_applicable",
     "no approved software for windows"),
    ("software", {"software": ("x",)}, "agent", "unknown", "does not give the OS"),
]  # fmt: skip
CHECKS = {
    "os": "devices_os_supported_and_patched", "disk": "devices_disks_encrypted",
    "admin": "devices_no_local_admin_for_agents", "agent": "devices_security_agent_healthy",
    "firewall": "devices_firewall_enabled", "lock": "devices_screen_lock_configured",
    "usb": "devices_usb_storage_blocked", "software": "devices_only_approved_software",
}  # fmt: skip


@pytest.mark.parametrize(("rule", "posture", "role", "status", "words"), ROWS)
def test_each_rule(
    rule: str, posture: dict[str, Any], role: str | None, status: str, words: str
) -> None:
    device = Device("PC-1", posture=Posture(**posture))
    verdict = judge(CHECKS[rule], device, Judging(RULES, role, TODAY))
    assert (verdict.status, words in verdict.reason) == (status, True), verdict.reason


@pytest.mark.parametrize("check", sorted(CHECKS.values()))
def test_silence_is_never_a_pass_and_off_is_not_applicable(check: str) -> None:
    silent = judge(check, Device("PC-1"), Judging(RULES, "agent", TODAY))
    assert silent.status in ("unknown", "not_applicable")
    off = Rules(
        os=False, disk_encryption=False, agent_roles=None, agent_names=None, firewall=False,
        lock_within_minutes=None, usb_storage=False, approved=None,
    )  # fmt: skip
    assert judge(check, Device("PC-1"), Judging(off, "agent", TODAY)).status == "not_applicable"


def test_a_pass_on_stale_data_becomes_unknown() -> None:
    rules = Rules(check_in_within_days=14)
    seen = datetime(2026, 10, 1, tzinfo=UTC)
    device = Device("PC-1", last_seen=seen, posture=Posture(encrypted=True, firewall=False))
    stale = judge("devices_disks_encrypted", device, Judging(rules, "agent", TODAY))
    assert stale.status == "unknown"
    assert "last checked in 2026-10-01 (58 days ago)" in stale.reason
    failing = judge("devices_firewall_enabled", device, Judging(rules, "agent", TODAY))
    assert failing.status == "fail"  # what was failing still fails


def _person(eid: str, role: str, clients: tuple[str, ...]) -> Person:
    return Person(eid, eid, f"{eid}@c.example", "active", None, None, "", role, clients, "", None)


def test_findings_fail_each_device_and_sum_up_the_rest_by_location() -> None:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    ann, bob = _person("E1", "agent", ("nb",)), _person("E2", "agent", ("nb", "cw"))
    fleet = entries(
        [
            (Device("A", site="Home", last_seen=now, posture=Posture(encrypted=False)), "intune",
             ann),
            (Device("B", site="Office", last_seen=now, posture=Posture(encrypted=True)), "intune",
             bob),
            (Device("C", remote=True, posture=Posture(encrypted=True)), "intune", bob),
            (Device("D", posture=Posture()), "intune", ann),
            (Device("A", posture=Posture(encrypted=True)), "osquery", None),
        ]
    )  # fmt: skip
    policy = Policy({}, remote_sites=("Home",))
    assert [e.label for e in fleet][0] == "A (intune)"  # two sources share the name
    nb = findings("devices_disks_encrypted", in_scope(fleet, "nb"), policy, "nb", TODAY)
    by = {f.subject: f for f in nb}
    assert by["A (intune)"].status == "fail"
    assert (
        by["A (intune)"].summary
        == "A (intune) (E1 agent, remote): the system disk is not encrypted"
    )
    assert by["nb"].summary.startswith("2 devices meet the rule (1 on site, 1 remote)")
    assert by["nb: unknown"].status == "warning"
    assert by["nb: unknown"].evidence[0]["location"] == "unknown"
    cw = findings("devices_disks_encrypted", in_scope(fleet, "cw"), policy, "cw", TODAY)
    assert [f.status for f in cw] == ["pass"]
    op = findings("devices_disks_encrypted", in_scope(fleet, None), policy, None, TODAY)
    assert [(f.subject, f.status) for f in op] == [("operation", "pass")]
    nobody = findings("devices_disks_encrypted", [], policy, "te", TODAY)
    assert nobody[0].status == "not_applicable"
    assert "assigned to te" in nobody[0].summary
