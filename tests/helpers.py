"""Assertions shared by the test modules."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def assert_one_line_error(result: Any, *needles: str) -> None:
    """Assert the CLI failed with exit 2 and one 'error:' line naming each needle."""
    assert result.code == 2, result
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), result.err
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def someone_waits_on_a_lock() -> bool:
    """Return whether a session of this PostgreSQL database is waiting for a lock."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        row = cur.fetchone()
    return bool(row and row[0])


def race(first: Callable[[], Any], second: Callable[[], Any]) -> list[BaseException]:
    """Run ``first`` in a transaction held open until ``second`` blocks; return their errors.

    On PostgreSQL this makes the race happen on every run: the first writer keeps its locks
    until the second is seen waiting for one.
    """
    from django.db import connections, transaction

    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                first()
                started.set()
                release.wait(30)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)
            started.set()
        finally:
            connections.close_all()

    def second_writer() -> None:
        started.wait(30)
        try:
            second()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hold), threading.Thread(target=second_writer)]
    for t in threads:
        t.start()
    started.wait(30)
    for _ in range(300):  # up to 30 s for the second writer to reach the database and wait
        if someone_waits_on_a_lock():
            break
        threading.Event().wait(0.1)
    release.set()
    for t in threads:
        t.join(60)
    return errors
