"""Clients: validated records, audited changes, encrypted contacts, structural scoping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from dataward.controls.models import CheckResult
from dataward.core import clients
from dataward.core.models import AuditEvent, Client
from dataward.errors import UnscopedQueryError
from helpers import assert_one_line_error

BANK = {
    "slug": "northbank",
    "name": "Northbank Retail Bank",
    "industry": "banking",
    "data_categories": ["PII", "PCI"],
    "frameworks": ["PCI_DSS_4", "SOC2"],
    "breach_notification_hours": 72,
    "retention_rules": [{"category": "PCI", "days": 0}, {"category": "PII", "days": 365}],
    "approved_locations": ["shares/northbank/restricted"],
    "phone_regions": ["US"],
    "timezone": "America/New_York",
    "working_hours": "08:00-20:00",
    "security_contact": "soc@northbank.example",
}


def test_add_list_show_via_cli(ws, cli) -> None:
    root = str(ws.paths.root)
    added = cli(
        "clients",
        "add",
        "carewell",
        "--name",
        "Carewell Health",
        "--category",
        "phi",
        "--category",
        "PII",
        "--framework",
        "hipaa",
        "--breach-hours",
        "48",
        "--retention",
        "PHI=2190",
        "--retention",
        "PII=365",
        "--approved-location",
        "shares/carewell/restricted",
        "--region",
        "us",
        "--timezone",
        "America/Chicago",
        "--working-hours",
        "07:00-19:00",
        "-w",
        root,
    )
    assert added.code == 0, added
    listed = json.loads(cli("clients", "list", "-f", "json", "-w", root).out)
    assert [c["slug"] for c in listed] == ["carewell"]
    shown = json.loads(cli("clients", "show", "carewell", "-f", "json", "-w", root).out)
    assert shown["data_categories"] == ["PHI", "PII"]
    assert shown["retention_rules"] == [
        {"category": "PHI", "days": 2190},
        {"category": "PII", "days": 365},
    ]
    csv_out = cli("clients", "list", "-f", "csv", "-w", root).out
    assert csv_out.splitlines()[0].startswith("slug,name,industry")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["bad slug!", "--name", "X"], ["slug"]),
        (["ok", "--name", "X", "--category", "SECRETS"], ["data_categories", "SECRETS"]),
        (["ok", "--name", "X", "--framework", "ISO9001"], ["frameworks", "ISO9001"]),
        (["ok", "--name", "X", "--retention", "PCI"], ["--retention", "CATEGORY=DAYS"]),
        (["ok", "--name", "X", "--breach-hours", "0"], ["breach_notification_hours"]),
        (["ok", "--name", "X", "--timezone", "Mars/Olympus"], ["timezone"]),
        (["ok", "--name", "X", "--working-hours", "9-5"], ["working_hours"]),
        (["operation", "--name", "X"], ["slug"]),
    ],
)
def test_invalid_client_is_a_one_line_error(ws, cli, args: list[str], needles: list[str]) -> None:
    result = cli("clients", "add", *args, "-w", str(ws.paths.root))
    assert_one_line_error(result, *needles)
    assert Client.objects.filter(kind="client").count() == 0


def test_duplicate_needs_update_and_update_is_audited(ws, cli) -> None:
    root = str(ws.paths.root)
    assert cli("clients", "add", "telora", "--name", "Telora", "-w", root).code == 0
    assert_one_line_error(cli("clients", "add", "telora", "--name", "T2", "-w", root), "--update")
    assert cli("clients", "add", "telora", "--name", "T2", "--update", "-w", root).code == 0
    same = cli("clients", "add", "telora", "--name", "T2", "--update", "-w", root)
    assert "unchanged" in same.err
    actions = list(AuditEvent.objects.filter(client="telora").values_list("action", flat=True))
    assert actions == ["client.add", "client.update"]


def test_import_file_is_all_or_nothing(ws, cli, tmp_path: Path) -> None:
    good = dict(BANK)
    bad = dict(BANK, slug="telora", frameworks=["GDPR", "NOPE"])
    path = tmp_path / "clients.json"
    path.write_text(json.dumps([good, bad]))
    result = cli("clients", "import", str(path), "-w", str(ws.paths.root))
    assert_one_line_error(result, "clients.json, record 2", "frameworks", "NOPE")
    assert Client.objects.filter(kind="client").count() == 0
    path.write_text(json.dumps([good]))
    assert cli("clients", "import", str(path), "-w", str(ws.paths.root)).code == 0
    again = cli("clients", "import", str(path), "-w", str(ws.paths.root))
    assert "0 clients added or updated, 1 unchanged" in again.err


def test_import_yaml_and_bad_files(ws, cli, tmp_path: Path) -> None:
    root = str(ws.paths.root)
    path = tmp_path / "clients.yaml"
    path.write_text("clients:\n  - slug: acme\n    name: Acme\n    data_categories: [PII]\n")
    assert cli("clients", "import", str(path), "-w", root).code == 0
    path.write_text("clients: [unclosed")
    assert_one_line_error(cli("clients", "import", str(path), "-w", root), "clients.yaml")
    path.write_text("- slug: acme2\n  name: A\n  colour: red\n")
    assert_one_line_error(cli("clients", "import", str(path), "-w", root), "record 1", "colour")
    assert_one_line_error(
        cli("clients", "import", str(tmp_path / "none.json"), "-w", root), "none.json"
    )


def test_security_contact_is_encrypted_at_rest(ws) -> None:
    clients.add(ws, clients.parse_client(BANK, "test"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT security_contact FROM core_client WHERE slug = %s", ["northbank"])
        raw = cursor.fetchone()[0]
    assert raw.startswith("enc1:")
    assert "northbank.example" not in raw
    assert Client.objects.get(slug="northbank").security_contact == "soc@northbank.example"


def test_client_owned_rows_refuse_unscoped_reads(ws) -> None:
    client, _ = clients.add(ws, clients.parse_client(BANK, "test"))
    with pytest.raises(UnscopedQueryError, match="without a client scope"):
        list(CheckResult.objects.all())
    with pytest.raises(UnscopedQueryError):
        CheckResult.objects.filter(status="fail").count()
    with pytest.raises(UnscopedQueryError):
        CheckResult.objects.exists()
    assert list(CheckResult.objects.for_client(client)) == []
    assert CheckResult.objects.filter(status="x").for_client(client).count() == 0
    assert CheckResult.objects.unscoped("operation-wide test").count() == 0
    with pytest.raises(ValueError, match="reason"):
        CheckResult.objects.unscoped("")


def test_client_viewer_sees_only_their_client(ws, cli) -> None:
    root = str(ws.paths.root)
    clients.add(ws, clients.parse_client(BANK, "test"))
    clients.add(ws, clients.parse_client(dict(BANK, slug="telora", name="Telora"), "test"))
    assert (
        cli(
            "users",
            "add",
            "vic",
            "--role",
            "client-viewer",
            "--client",
            "telora",
            "-w",
            root,
            stdin="",
        ).code
        == 0
    )
    seen = json.loads(cli("clients", "list", "-f", "json", "-w", root, "--as", "vic").out)
    assert [c["slug"] for c in seen] == ["telora"]
    denied = cli("clients", "show", "northbank", "-w", root, "--as", "vic")
    assert_one_line_error(denied, "vic (client-viewer) may not view on client northbank")
    assert_one_line_error(
        cli("clients", "add", "x1", "--name", "X", "-w", root, "--as", "vic"), "manage-clients"
    )


def test_combined_querysets_keep_the_scope_guard(ws) -> None:
    client, _ = clients.add(ws, clients.parse_client(BANK, "test"))
    scoped = CheckResult.objects.for_client(client)
    unscoped = CheckResult.objects.filter(status="fail")
    for combined in (scoped | unscoped, scoped ^ unscoped, scoped.union(unscoped)):
        with pytest.raises(UnscopedQueryError):
            list(combined)
    assert list(scoped | CheckResult.objects.for_client(client)) == []
    assert list(scoped & unscoped) == []
    with pytest.raises(UnscopedQueryError):
        CheckResult.objects.filter(status="x")[:1] | unscoped  # noqa: B018
    with pytest.raises(UnscopedQueryError):
        CheckResult.objects.raw("SELECT * FROM controls_checkresult")


def test_contact_only_change_is_audited(ws) -> None:
    spec = clients.parse_client(BANK, "test")
    clients.add(ws, spec)
    spec.security_contact = "new-soc@northbank.example"
    _, changed = clients.add(ws, spec, update=True)
    assert changed
    event = AuditEvent.objects.filter(action="client.update").get()
    assert event.before != event.after
    assert "northbank.example" not in event.before + event.after


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        (
            b"- slug: acme\n  name: Acme\n  approved_locations: shares/x\n",
            ["record 1", "'approved_locations' must be a list"],
        ),
        (b"- slug: acme\n  name: Acme\n  phone_regions: us\n", ["'phone_regions' must be a list"]),
        (b"- slug: acme\n  name: Acme\n  timezone: 5\n", ["'timezone' must be text"]),
        (b"- slug: acme\n  name: Acme\n  approved_locations: ['']\n", ["non-empty paths"]),
        (
            b"- slug: acme\n  name: Acme\n  breach_notification_hours: '72'\n",
            ["breach_notification_hours"],
        ),
        (b"\xff\xfe not text", ["not UTF-8"]),
    ],
)
def test_messy_client_files_are_one_line_errors(ws, cli, tmp_path, content, needles) -> None:
    path = tmp_path / "messy.yaml"
    path.write_bytes(content)
    assert_one_line_error(cli("clients", "import", str(path), "-w", str(ws.paths.root)), *needles)
    assert Client.objects.filter(kind="client").count() == 0
