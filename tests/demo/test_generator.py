"""The synthetic BPO estate: deterministic, complete, small, and planted as the manifest says."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dataward.demo.engine import generate, load_manifest

AS_OF = date(2026, 11, 28)
AREAS = {"discovery", "access", "devices", "encryption", "monitoring", "retention", "governance"}
KINDS = {
    "share",
    "role_matrix",
    "hr",
    "directory",
    "entitlements",
    "devices",
    "logs",
    "training",
    "vendors",
    "channels",
    "clients",
    "incidents",
    "risk_register",
    "at_rest",
}
# Governance plants are judged by the packages that keep the registers (training, vendors, ...).
JUDGES = {"governance": ("governance_", "training_", "vendors_", "incidents_", "risks_")}
FORMATS = {"csv", "xlsx", "docx", "pdf", "eml", "json", "jsonl", "txt", "zip", "log", "yaml"}
CATEGORIES = {"PII", "PCI", "PHI", "FINANCIAL", "CREDENTIALS", "HR", "GOVERNMENT_ID"}
FRAMEWORKS = {"NIST_CSF_2", "ISO27001_2022", "CIS_V8", "PCI_DSS_4", "HIPAA", "GDPR", "SOC2"}
CLIENT_KEYS = {
    "slug",
    "name",
    "industry",
    "data_categories",
    "frameworks",
    "breach_notification_hours",
    "retention_rules",
    "approved_locations",
    "phone_regions",
    "timezone",
    "working_hours",
    "security_contact",
}


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Generate the seed-7 estate once for the module."""
    root = tmp_path_factory.mktemp("estate")
    return root, generate(root, seed=7, as_of=AS_OF)


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Return every file under root with its bytes and whole-second mtime."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), int(p.stat().st_mtime))
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _csv(root: Path, rel: str) -> list[dict[str, str]]:
    """Read a CSV file of the estate as dicts."""
    with (root / rel).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _planted(manifest: dict[str, Any], pid: str) -> dict[str, Any]:
    """Return one planted problem by id."""
    return next(p for p in manifest["planted"] if p["id"] == pid)


def test_same_seed_and_date_give_byte_identical_estates(estate, tmp_path: Path) -> None:
    root, manifest = estate
    again = generate(tmp_path / "again", seed=7, as_of=AS_OF)
    assert again == manifest
    assert _tree(root) == _tree(tmp_path / "again")


def test_a_different_seed_gives_a_different_estate(estate, tmp_path: Path) -> None:
    _, manifest = estate
    other = generate(tmp_path / "other", seed=8, as_of=AS_OF)
    assert other["seed"] == 8
    assert {f["sha256"] for f in other["files"]} != {f["sha256"] for f in manifest["files"]}


def test_manifest_follows_the_schema(estate) -> None:
    root, manifest = estate
    assert set(manifest) == {
        "schema",
        "seed",
        "as_of",
        "clients",
        "files",
        "planted",
        "sensitive_values",
    }
    assert manifest["schema"] == "dataward-demo-manifest/1"
    assert (manifest["seed"], manifest["as_of"]) == (7, "2026-11-28")
    assert manifest["clients"] == ["northbank", "carewell", "telora"]
    assert load_manifest(root / "manifest.json") == manifest
    assert load_manifest(root) == manifest
    for f in manifest["files"]:
        assert set(f) == {"path", "client", "kind", "format", "size", "sha256", "mtime"}
        assert f["kind"] in KINDS, f
        assert f["format"] in FORMATS, f
        assert f["client"] in (None, "northbank", "carewell", "telora")
    for v in manifest["sensitive_values"]:
        assert set(v) == {"path", "member", "location", "entity", "masked"}


def test_every_listed_file_exists_with_its_size_hash_and_mtime(estate) -> None:
    root, manifest = estate
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {p for p in _tree(root) if p != "manifest.json"}
    assert listed == on_disk
    for f in manifest["files"]:
        data = (root / f["path"]).read_bytes()
        assert len(data) == f["size"]
        assert hashlib.sha256(data).hexdigest() == f["sha256"]
        mtime = datetime.fromtimestamp((root / f["path"]).stat().st_mtime, UTC)
        assert mtime.strftime("%Y-%m-%dT%H:%M:%SZ") == f["mtime"]


def test_planted_problems_cover_every_area_and_point_at_real_files(estate) -> None:
    root, manifest = estate
    planted = manifest["planted"]
    assert {p["area"] for p in planted} == AREAS
    assert len({p["id"] for p in planted}) == len(planted) >= 15
    for p in planted:
        assert set(p) == {"id", "area", "kind", "client", "where", "expect", "description"}
        assert set(p["where"]) == {"path", "member", "detail"}
        assert (root / p["where"]["path"]).is_file(), p["id"]
        check = p["expect"]["check"]
        assert check.startswith(JUDGES.get(p["area"], (p["area"] + "_",))), check
        assert check == check.lower(), check
        assert p["description"].endswith(".")


def test_clients_json_has_the_shape_the_client_import_reads(estate) -> None:
    root, _ = estate
    records = json.loads((root / "clients.json").read_text())
    assert [r["slug"] for r in records] == ["northbank", "carewell", "telora"]
    for r in records:
        assert set(r) == CLIENT_KEYS
        assert set(r["data_categories"]) <= CATEGORIES
        assert set(r["frameworks"]) <= FRAMEWORKS
        assert r["approved_locations"] == [
            f"shares/{r['slug']}/restricted",
            f"shares/{r['slug']}/exports=" + ",".join(r["data_categories"]),
        ]
        assert all({"category", "days"} <= set(rule) for rule in r["retention_rules"])
    hours = {r["slug"]: r["breach_notification_hours"] for r in records}
    assert hours == {"northbank": 72, "carewell": 48, "telora": 24}


def test_discovery_plants_sit_outside_approved_locations(estate) -> None:
    _, manifest = estate
    for p in manifest["planted"]:
        if p["area"] == "discovery":
            assert "/general/" in p["where"]["path"]
    cards = _planted(manifest, "discovery-card-numbers-general-share")
    found = [
        v
        for v in manifest["sensitive_values"]
        if v["path"] == cards["where"]["path"] and v["entity"] == "CREDIT_CARD"
    ]
    assert len(found) == cards["expect"]["count"] == 40
    secrets = _planted(manifest, "discovery-secrets-general-share")
    found = [v for v in manifest["sensitive_values"] if v["path"] == secrets["where"]["path"]]
    assert [v["entity"] for v in found] == ["SECRET"] * secrets["expect"]["count"]


def test_clean_general_files_hold_no_sensitive_values(estate) -> None:
    _, manifest = estate
    tagged = {v["path"] for v in manifest["sensitive_values"]}
    planted = {p["where"]["path"] for p in manifest["planted"]}
    general = [f["path"] for f in manifest["files"] if "/general/" in f["path"]]
    assert len(general) >= 8
    assert {p for p in general if p in tagged} == {p for p in general if p in planted}


def test_the_leaver_is_terminated_yet_enabled_and_entitled(estate) -> None:
    root, manifest = estate
    user = _planted(manifest, "access-leaver-still-active")["expect"]["subject"]
    account = next(r for r in _csv(root, "directory/directory_users.csv") if r["username"] == user)
    assert account["enabled"] == "true"
    person = next(
        r for r in _csv(root, "hr/hr_roster.csv") if r["employee_id"] == account["employee_id"]
    )
    assert person["status"] == "terminated"
    assert date.fromisoformat(person["end_date"]) < AS_OF
    rows = _csv(root, "entitlements/carewell_member_crm.csv")
    assert user in {r["account"] for r in rows}


def test_access_plants_match_the_identity_exports(estate) -> None:
    root, manifest = estate
    users = {r["username"]: r for r in _csv(root, "directory/directory_users.csv")}
    shared = users[_planted(manifest, "access-shared-account")["expect"]["subject"]]
    assert shared["employee_id"] == ""
    assert shared["enabled"] == "true"
    admin = users[_planted(manifest, "access-privileged-account-without-mfa")["expect"]["subject"]]
    assert (admin["privileged"], admin["mfa_registered"]) == ("true", "false")
    others = [u for n, u in users.items() if n != admin["username"] and u["privileged"] == "true"]
    assert others
    assert all(u["mfa_registered"] == "true" for u in others)
    cross = _planted(manifest, "access-cross-client-entitlements")["expect"]["subject"]
    assert cross in {r["account"] for r in _csv(root, "entitlements/telora_subscriber_crm.csv")}
    assert cross in {r["account"] for r in _csv(root, "entitlements/northbank_core_crm.csv")}
    scim = json.loads((root / "directory/scim_users.json").read_text())
    assert scim["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    numbers = [u[ext]["employeeNumber"] for u in scim["Resources"] if ext in u]
    assert len(numbers) == len(scim["Resources"]) - 1
    groups = json.loads((root / "directory/scim_groups.json").read_text())
    assert "Domain Admins" in {g["displayName"] for g in groups["Resources"]}


def test_hr_roster_has_joiners_movers_and_leavers(estate) -> None:
    root, _ = estate
    rows = _csv(root, "hr/hr_roster.csv")
    assert 55 <= len(rows) <= 65
    recent = AS_OF - timedelta(days=30)
    assert sum(date.fromisoformat(r["start_date"]) >= recent for r in rows) >= 3
    assert (
        sum(
            date.fromisoformat(r["last_role_change"]) >= recent
            and date.fromisoformat(r["start_date"]) < recent
            for r in rows
        )
        >= 3
    )
    leavers = [r for r in rows if r["status"] == "terminated"]
    assert len(leavers) >= 3
    assert all(r["end_date"] for r in leavers)
    assert {r["job_role"] for r in rows} == {
        "agent",
        "team_lead",
        "qa_analyst",
        "trainer",
        "it_admin",
        "ops_manager",
        "security_lead",
    }


def test_device_plants_are_in_the_inventories(estate) -> None:
    root, manifest = estate
    name = _planted(manifest, "devices-laptop-without-disk-encryption")["expect"]["subject"]
    rows = {r["Device name"]: r for r in _csv(root, "devices/intune_devices.csv")}
    assert rows[name]["Encrypted"] == "False"
    assert sum(r["Encrypted"] == "False" for r in rows.values()) == 1
    macs = json.loads((root / "devices/jamf_devices.json").read_text())
    admins = [m["general"]["name"] for m in macs if m["local_accounts"][0]["admin"]]
    assert admins == [_planted(manifest, "devices-agent-with-local-admin")["expect"]["subject"]]


def test_monitoring_plants_are_in_the_access_log(estate) -> None:
    root, manifest = estate
    events = [
        json.loads(line) for line in (root / "logs/app_access.jsonl").read_text().splitlines()
    ]
    big = [e for e in events if e["record_count"] >= 1000]
    assert len(big) == 1
    assert big[0]["event"]["action"] == "export"
    local = datetime.fromisoformat(big[0]["@timestamp"]).astimezone(ZoneInfo("America/New_York"))
    assert local.hour == 2
    assert big[0]["record_count"] == 5000
    failed = [e for e in events if e["event"]["action"] == "failed_login"]
    assert max(sum(f["source"]["ip"] == e["source"]["ip"] for f in failed) for e in failed) >= 20
    leaver = _planted(manifest, "monitoring-access-after-termination")["expect"]["subject"]
    account = next(
        r for r in _csv(root, "directory/directory_users.csv") if r["username"] == leaver
    )
    end = next(
        r["end_date"]
        for r in _csv(root, "hr/hr_roster.csv")
        if r["employee_id"] == account["employee_id"]
    )
    after = [
        e
        for e in events
        if e["user"]["name"] == account["email"]
        and datetime.fromisoformat(e["@timestamp"]).date() > date.fromisoformat(end)
    ]
    assert after
    assert len((root / "logs/auth.log").read_text().splitlines()) > 100


def test_governance_plants_are_overdue_relative_to_as_of(estate) -> None:
    root, manifest = estate
    late = _planted(manifest, "governance-security-training-overdue")["expect"]["subject"]
    rows = [r for r in _csv(root, "training/completions.csv") if r["employee_id"] == late]
    assert any(not r["completed_on"] and date.fromisoformat(r["due_on"]) < AS_OF for r in rows)
    overdue = [
        r
        for r in _csv(root, "training/completions.csv")
        if not r["completed_on"] and date.fromisoformat(r["due_on"]) < AS_OF
    ]
    assert {r["employee_id"] for r in overdue} == {late}
    vendors = _csv(root, "vendors/vendors.csv")
    late_vendors = [
        v["vendor"] for v in vendors if date.fromisoformat(v["next_review_due"]) < AS_OF
    ]
    assert late_vendors == [
        _planted(manifest, "governance-vendor-review-overdue")["expect"]["subject"]
    ]


def test_retention_and_encryption_plants(estate) -> None:
    root, manifest = estate
    by_path = {f["path"]: f for f in manifest["files"]}
    stale = by_path[_planted(manifest, "retention-export-past-retention")["where"]["path"]]
    assert datetime.fromisoformat(stale["mtime"]).date() < AS_OF - timedelta(days=365)
    others = [f for f in manifest["files"] if f is not stale]
    assert all(
        datetime.fromisoformat(f["mtime"]).date() > AS_OF - timedelta(days=60) for f in others
    )
    dup = _planted(manifest, "retention-duplicate-claims-extract")
    assert by_path[dup["where"]["path"]]["sha256"] == by_path[dup["expect"]["subject"]]["sha256"]
    hashes = [f["sha256"] for f in manifest["files"]]
    assert len(hashes) - len(set(hashes)) == 1
    channels = json.loads((root / "channels/transfer_channels.json").read_text())["channels"]
    weak = [c["id"] for c in channels if c["protocol"] == "ftp" or c["tls_min_version"] == "1.0"]
    assert weak == [_planted(manifest, "encryption-insecure-transfer-channel")["expect"]["subject"]]


def test_the_estate_stays_small(estate) -> None:
    root, manifest = estate
    assert len(manifest["files"]) <= 80
    assert sum(f["size"] for f in manifest["files"]) < 5 * 1024 * 1024
    assert (root / "manifest.json").stat().st_size < 2 * 1024 * 1024


def test_regenerating_into_the_same_folder_replaces_the_old_estate(tmp_path: Path) -> None:
    generate(tmp_path, seed=7, as_of=date(2026, 3, 2))
    manifest = generate(tmp_path, seed=7, as_of=AS_OF)
    on_disk = {p for p in _tree(tmp_path) if p != "manifest.json"}
    assert on_disk == {f["path"] for f in manifest["files"]}


def test_as_of_defaults_to_today_in_utc(tmp_path: Path) -> None:
    manifest = generate(tmp_path)
    assert manifest["as_of"] in {
        (datetime.now(UTC) - timedelta(days=d)).date().isoformat() for d in (0, 1)
    }


def test_an_unwritable_folder_raises_oserror(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    with pytest.raises(OSError, match="taken"):
        generate(blocker / "estate", seed=7, as_of=AS_OF)


def test_the_incident_register_misses_exactly_one_gdpr_clock(estate) -> None:
    root, manifest = estate
    plant = _planted(manifest, "governance-incident-notification-overdue")
    register = json.loads((root / plant["where"]["path"]).read_text())
    assert register["schema"] == "dataward-incident-register/1"
    incidents = register["incidents"]
    assert [i["affected"][0]["client"] for i in incidents] == ["carewell", "northbank", "telora"]
    late = incidents[2]
    assert plant["expect"]["subject"] == "INC-0003 gdpr_art33"
    detected = datetime.fromisoformat(late["detected_at"].replace("Z", "+00:00"))
    midnight = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC)
    assert detected + timedelta(hours=72) < midnight
    assert "gdpr_art33" not in {n["rule"] for n in late["notifications"]}
    assert late["affected"][0]["personal_data"] is True
    assert all(i["status"] != "closed" or i["lessons_learned"] for i in incidents)


def test_encryption_plants_match_the_at_rest_register_and_the_archives(estate) -> None:
    root, manifest = estate
    register = _csv(root, "encryption/at_rest_register.csv")
    bare = [r["path"] for r in register if r["at_rest"] == "unencrypted"]
    volume = _planted(manifest, "encryption-sensitive-data-on-unencrypted-volume")
    assert any(volume["expect"]["subject"].startswith(p + "/") for p in bare)
    assert {r["client"] for r in register if r["at_rest"] == "encrypted"} == set(
        manifest["clients"]
    )
    zips = sorted(
        p["where"]["path"] for p in manifest["planted"] if p["kind"] == "unencrypted_archive"
    )
    with_members = {v["path"] for v in manifest["sensitive_values"] if v["member"]}
    assert zips
    assert all(z.endswith(".zip") and z in with_members for z in zips)
