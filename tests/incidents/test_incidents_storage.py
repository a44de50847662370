"""References stay unique under concurrent writers; encrypted text survives key rotation."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dataward.incidents.engine.register import ImpactSpec

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
