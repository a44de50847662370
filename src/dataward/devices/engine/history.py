"""A device's posture history: its state on a past date and since when a rule has failed.

Each import records a device's state only when it changed; a state holds from the import that
recorded it (``valid_from``) until the import that replaced or removed it (``valid_to``, None
while current). Rules are judged with the policy in force now.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from dataward.devices.engine.rules import FAIL, Judging, judge
from dataward.devices.engine.types import Device


@dataclass(frozen=True)
class Snapshot:
    """One recorded state of a device and the time it held."""

    valid_from: datetime
    valid_to: datetime | None
    device: Device
    source: str = ""

    def holds_at(self, moment: datetime) -> bool:
        """Return whether this state was the recorded one at ``moment``."""
        return self.valid_from <= moment and (self.valid_to is None or moment < self.valid_to)


def state_at(snapshots: Sequence[Snapshot], moment: datetime) -> Snapshot | None:
    """Return the state recorded at ``moment``, or None when the device was not on record."""
    return next((s for s in snapshots if s.holds_at(moment)), None)


def failing_since(
    snapshots: Sequence[Snapshot],
    check: str,
    judging: Callable[[Device, date], Judging],
    moment: datetime,
) -> date | None:
    """Return the day a rule began failing without a break up to ``moment``, or None.

    Walk back from the state at ``moment``: each earlier state that failed too (judged at the
    end of the time it held) extends the run; a time-bound failure (patch or signature age)
    that began inside a state's time ends it at that day.
    """
    ordered = sorted((s for s in snapshots if s.valid_from <= moment), key=lambda s: s.valid_from)
    if not ordered or not ordered[-1].holds_at(moment):
        return None
    since: date | None = None
    later: Snapshot | None = None
    for snap in reversed(ordered):
        if later is not None and snap.valid_to != later.valid_from:
            break  # the device was off record in between
        end = min(snap.valid_to, moment) if snap.valid_to else moment
        verdict = judge(check, snap.device, judging(snap.device, end.date()))
        if verdict.status != FAIL:
            break
        start = snap.valid_from.date()
        if verdict.onset and verdict.onset > start:
            return verdict.onset
        since, later = start, snap
    return since
