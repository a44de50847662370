"""Concurrent writers never fork the audit chain."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dataward.core.models import AuditEvent

WRITER = """
import sys
from dataward.core.workspace import open_workspace
ws = open_workspace(sys.argv[1])
from dataward.core import audit
for i in range(int(sys.argv[3])):
    audit.record(ws, "test.concurrent", None, "worker", f"{sys.argv[2]}-{i}")
"""


@pytest.mark.slow
def test_two_processes_append_without_forking(ws, database_url: str) -> None:
    from django.db import connections

    connections.close_all()
    env = dict(os.environ)
    if database_url:
        env["DATAWARD_DATABASE_URL"] = database_url
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(ws.paths.root), str(n), "25"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    for proc in procs:
        _, errors = proc.communicate(timeout=180)
        assert proc.returncode == 0, errors
    from dataward.core import audit

    report = audit.verify(ws)
    assert report.ok, report
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 50
    anchor = audit.read_anchor(ws.paths)
    assert anchor is not None
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    assert anchor.seq == last.seq
