"""`dataward assess --refresh DAYS` lets packages re-collect live data before the checks run."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_refresh_hook_runs_before_each_assessment_only_when_asked(cli, ws_root: Path) -> None:  # type: ignore[no-untyped-def]
    from dataward.plugins import hookimpl, manager

    calls: list[tuple[str, int]] = []

    class Recorder:
        @hookimpl
        def refresh_live_data(self, ws: Any, client: Any, max_age_days: int) -> None:
            from dataward.controls.models import Assessment

            # Nothing is assessed yet for this client when the hook runs.
            assert not Assessment.objects.for_client(client).exists()
            calls.append((client.slug, max_age_days))

    w = str(ws_root)
    assert cli("clients", "add", "acme", "--name", "Acme", "-w", w).code == 0
    manager().register(Recorder(), name="refresh-recorder")
    try:
        assert cli("assess", "--client", "acme", "--refresh", "1", "-w", w).code in (0, 1)
        assert calls == [("acme", 1)]
        assert cli("assess", "--client", "acme", "-w", w).code in (0, 1)
        assert calls == [("acme", 1)]  # not without --refresh
    finally:
        manager().unregister(name="refresh-recorder")
