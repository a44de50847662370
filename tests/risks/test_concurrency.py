"""Two writers of one client's register at once on PostgreSQL: one risk per control, no crash.

The first writer keeps its transaction open until the second is seen waiting on a lock in
pg_stat_activity, so the race is forced every run rather than left to timing.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from dataward.controls.engine.registry import Status
from dataward.core.engine.clients import ClientSpec
from helpers import race

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
FAILING = SimpleNamespace(
    check_id="core_client_contract_terms_complete",
    title="Client record holds its contract terms",
    severity="medium",
    status=Status.FAIL,
    subject="acme",
)


@pytest.fixture
def acme(ws):  # type: ignore[no-untyped-def]
    from dataward.core import clients

    ws = dataclasses.replace(ws, clock=lambda: NOW)
    clients.add(ws, ClientSpec("acme", "Acme"))
    return ws


@ON_POSTGRES
def test_two_assessments_at_once_raise_each_control_risk_once(acme) -> None:  # type: ignore[no-untyped-def]
    from dataward.core.models import Client
    from dataward.risks.models import Risk, RiskEvent
    from dataward.risks.sync import on_assessment

    client = Client.objects.get(slug="acme")
    errors = race(
        lambda: on_assessment(acme, client, 1, [FAILING]),
        lambda: on_assessment(acme, client, 2, [FAILING]),
    )
    assert errors == []
    risks = list(Risk.objects.for_client(client).order_by("source_key"))
    assert [r.source_key for r in risks] == [
        "control:DA-01", "control:IR-02", "control:RD-01", "control:VC-02",
    ]  # fmt: skip
    assert len({r.ref for r in risks}) == 4
    kinds = RiskEvent.objects.for_client(client).values_list("kind", flat=True)
    assert sorted(kinds) == ["raised"] * 4  # the second run saw the same failure: no history


@ON_POSTGRES
def test_two_imports_of_one_register_at_once_add_each_risk_once(acme, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from dataward.risks import importer
    from dataward.risks.models import Risk

    path = tmp_path / "register.csv"
    path.write_text("id,risk,likelihood,impact\nR-1,Old dialer,2,3\nR-2,Shared inbox,3,3\n")
    errors = race(
        lambda: importer.run(acme, path, "acme"), lambda: importer.run(acme, path, "acme")
    )
    assert errors == []
    refs = Risk.objects.unscoped("test").values_list("external_ref", flat=True)
    assert sorted(refs) == ["R-1", "R-2"]


#: Risks each writer adds. Enough that, numbering by retry alone, one writer on PostgreSQL
#: lost every attempt to the other within a few dozen (stop 23's CI failure).
PER_WRITER = 40
WRITER = """
import sys
from dataward.core.workspace import open_workspace
ws = open_workspace(sys.argv[1])
from dataward.risks import service
for i in range(int(sys.argv[4])):
    service.add(ws, sys.argv[3], title=f"worker {sys.argv[2]} risk {i}", likelihood=2, impact=2)
"""


@pytest.mark.slow
def test_two_processes_never_share_a_risk_reference(acme, database_url: str) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    from django.db import connections

    from dataward.core import clients
    from dataward.risks.models import Risk

    clients.add(acme, ClientSpec("globex", "Globex"))
    connections.close_all()
    env = dict(os.environ)
    if database_url:
        env["DATAWARD_DATABASE_URL"] = database_url
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(acme.paths.root), str(n), slug, str(PER_WRITER)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, slug in enumerate(("acme", "globex"))
    ]
    for proc in procs:
        _, errors = proc.communicate(timeout=180)
        assert proc.returncode == 0, errors
    refs = sorted(Risk.objects.unscoped("test").values_list("ref", flat=True))
    assert refs == [f"RISK-{n:04d}" for n in range(1, 2 * PER_WRITER + 1)]
