"""References stay unique under concurrent writers; encrypted text survives key rotation."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dataward.incidents.engine.register import ImpactSpec
from helpers import race

WRITER = """
import sys
from dataward.core.workspace import open_workspace
ws = open_workspace(sys.argv[1])
from dataward.incidents import service
for i in range(int(sys.argv[3])):
    service.report(ws, title=f"worker {sys.argv[2]} incident {i}", severity="low")
"""


@pytest.mark.slow
def test_two_processes_never_share_a_reference(iws, database_url: str) -> None:  # type: ignore[no-untyped-def]
    from django.db import connections

    connections.close_all()
    env = dict(os.environ)
    if database_url:
        env["DATAWARD_DATABASE_URL"] = database_url
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(iws.paths.root), str(n), "12"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for n in range(2)
    ]
    for proc in procs:
        _, errors = proc.communicate(timeout=180)
        assert proc.returncode == 0, errors
    from dataward.core import audit
    from dataward.incidents import queries

    refs = sorted(r["ref"] for r in queries.incident_rows(iws))
    assert refs == [f"INC-{n:04d}" for n in range(1, 25)]
    assert audit.verify(iws).ok


def test_key_rotation_reencrypts_incident_text(iws) -> None:  # type: ignore[no-untyped-def]
    from dataward.core import keys
    from dataward.incidents import queries, service

    service.report(
        iws, title="Stolen bag", severity="medium", impacts=[ImpactSpec("eurotel", ("PII",), 4)],
        description="Bag with printed call notes taken on the train.",
    )  # fmt: skip
    service.add_note(iws, "INC-0001", "Police reference taken", client="eurotel")
    keys.rotate(iws, from_env=False)
    doc = queries.show(iws, "INC-0001")
    assert doc["description"] == "Bag with printed call notes taken on the train."
    assert "Police reference taken" in [e["text"] for e in doc["timeline"]]
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT text FROM incidents_timelineentry")
        stored = " ".join(row[0] for row in cur.fetchall())
    assert "Police" not in stored


def test_task_notes_are_encrypted_like_the_timeline_they_repeat(iws) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from dataward.core import keys
    from dataward.incidents import checklist, queries, service

    service.report(iws, title="Laptop left on a bus", severity="high",
                   impacts=[ImpactSpec("eurotel", ("PII",), 4)],
                   playbooks=["lost_or_stolen_laptop"])  # fmt: skip
    checklist.finish_task(iws, "INC-0001", 1, skip=True, note="Agent Dana Whitfield had no MDM")
    keys.rotate(iws, from_env=False)
    (task,) = [t for t in queries.show(iws, "INC-0001")["tasks"] if t["number"] == 1]
    assert task["note"] == "Agent Dana Whitfield had no MDM"
    with connection.cursor() as cur:
        cur.execute("SELECT note FROM incidents_incidenttask")
        stored = " ".join(row[0] for row in cur.fetchall())
    assert "Whitfield" not in stored


ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@ON_POSTGRES
def test_closing_waits_for_an_impact_change_and_sees_its_clocks(iws) -> None:  # type: ignore[no-untyped-def]
    from dataward.incidents import queries, service

    service.report(iws, title="USB stick lost", severity="low", impacts=[ImpactSpec("cardco")])
    assert queries.clock_rows(iws) == []  # cardco has no deadline: nothing blocks closing
    errors = race(
        lambda: service.set_impact(iws, "INC-0001", ImpactSpec("eurotel", ("PII",), 12)),
        lambda: service.set_status(
            iws, "INC-0001", "closed", lessons="Sticks are now encrypted before they leave."
        ),
    )
    assert [type(e).__name__ for e in errors] == ["WorkflowError"]
    assert "cannot close while clock" in str(errors[0])
    assert queries.show(iws, "INC-0001")["status"] == "reported"
    assert {r["rule"] for r in queries.clock_rows(iws)} == {"contract", "gdpr_art33"}


@ON_POSTGRES
def test_two_imports_of_one_register_at_once_store_it_once(iws, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from dataward.incidents import queries
    from dataward.incidents.register import import_register

    path = tmp_path / "register.json"
    entry = {"id": "IR-1", "title": "Lost badge", "severity": "low",
             "detected_at": "2026-11-01T09:00Z", "affected": [{"client": "cardco"}]}  # fmt: skip
    path.write_text(json.dumps({"schema": "dataward-incident-register/1", "incidents": [entry]}))
    errors = race(lambda: import_register(iws, path), lambda: import_register(iws, path))
    assert errors == []
    assert [r["ref"] for r in queries.incident_rows(iws)] == ["INC-0001"]
