"""Store devices: imports, each device's recorded states over time, and the device policy.

Everything belongs to the operation: a device serves the clients of the person it links to,
which the readers work out from the HR roster when they read. A device's state is recorded
again only when its posture changes (a new check-in, or the same values read from another file,
only refresh ``last_seen`` and ``origin`` in place), so the history stays small and still proves
the state on any past date.
"""

from __future__ import annotations

from django.db import models

from dataward.core.scoping import ClientOwned


class DeviceImport(ClientOwned):
    """One `dataward devices import` of one source."""

    kind = models.CharField(max_length=16)
    source = models.CharField(max_length=100)
    location = models.TextField()
    sha256 = models.CharField(max_length=64, blank=True)
    counts = models.JSONField(default=dict)
    imported_at = models.DateTimeField()
    actor = models.CharField(max_length=150)


class DeviceState(ClientOwned):
    """One recorded state of one device of one source, and the time it held.

    ``valid_to`` is empty while the state is current; the import that replaced the state or
    dropped the device sets it.
    """

    source = models.CharField(max_length=100)
    key = models.CharField(max_length=200)  # serial number, else name, lower case
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200)  # lower-case name, for lookups
    state = models.JSONField()  # the device and its posture (engine/types.as_state)
    digest = models.CharField(max_length=64)  # of state: a new digest is a new recorded state
    origin = models.JSONField(default=dict)  # per posture field, the cell or probe it came from
    trace = models.CharField(max_length=64)  # of origin and last_seen: refreshed in place
    last_seen = models.DateTimeField(null=True)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True)
    recorded_by = models.ForeignKey(DeviceImport, on_delete=models.PROTECT, related_name="+")
    row = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["client", "source", "valid_to"], name="devices_state_current"),
            models.Index(fields=["client", "name_key"], name="devices_state_name"),
            models.Index(fields=["client", "key"], name="devices_state_key"),
        ]


class DevicePolicyRecord(ClientOwned):
    """The device policy in force, validated, as plain data, and where it came from."""

    spec = models.JSONField()
    location = models.TextField()
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client"], name="devices_policy_uniq")]
