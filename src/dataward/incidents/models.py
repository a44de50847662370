"""Store incidents: the incident, its impact per client, timeline, notification clocks, tasks.

An incident belongs to the operation (it is the operation's incident, even when it touches
several clients). Each affected client's impact and notification clocks belong to that client,
so a client-scoped user sees only the incidents that touch their clients and only their own
impact and clocks. Timeline entries and tasks hang off the incident; an entry about one client
(its impact, its notification, a note with --client) belongs to that client.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from dataward.core.fields import EncryptedTextField
from dataward.core.scoping import ClientOwned


class IncidentCounter(models.Model):
    """The single row locked while a reference is handed out, so INC numbers never repeat."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"INC-{self.last:04d}"


class Incident(ClientOwned):
    """One security incident or personal-data breach, owned by the operation."""

    ref = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    description = EncryptedTextField(blank=True, default="")
    severity = models.CharField(max_length=16)
    status = models.CharField(max_length=16, default="reported")
    detected_at = models.DateTimeField()  # when the operation became aware: clocks start here
    occurred_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField()
    reported_by = models.CharField(max_length=254)
    handler = models.CharField(max_length=254)
    lessons_learned = EncryptedTextField(blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)
    source_ref = models.CharField(max_length=100, blank=True, default="")
    extra_rules = models.JSONField(default=list)  # rules given with --rules when reported
    playbooks = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"],
                condition=~models.Q(source_ref=""),
                name="incidents_incident_source_ref_uniq",
            )
        ]

    def __str__(self) -> str:
        return self.ref

    def as_state(self) -> dict[str, Any]:
        """Return what the audit trail digests."""
        return {
            "ref": self.ref,
            "title": self.title,
            "description": self.description,
            "severity": self.severity,
            "status": self.status,
            "detected_at": self.detected_at.isoformat(),
            "occurred_at": self.occurred_at.isoformat() if self.occurred_at else None,
            "handler": self.handler,
            "lessons_learned": self.lessons_learned,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "playbooks": list(self.playbooks),
        }


class Impact(ClientOwned):
    """What one incident affected of one client's data."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    data_categories = models.JSONField(default=list)
    categories_assumed = models.BooleanField(default=False)  # none given: the client's own
    records = models.PositiveIntegerField(null=True, blank=True)  # None: not known yet
    personal_data = models.BooleanField(default=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "client"], name="incidents_impact_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.client_id}"

    def as_state(self) -> dict[str, Any]:
        """Return what the audit trail digests."""
        return {
            "data_categories": list(self.data_categories),
            "categories_assumed": self.categories_assumed,
            "records": self.records,
            "personal_data": self.personal_data,
        }


class TimelineEntry(ClientOwned):
    """One append-only line of an incident's timeline (client: whom it concerns)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    actor = models.CharField(max_length=254)
    kind = models.CharField(max_length=16)  # report, status, note, impact, notify, task, ...
    text = EncryptedTextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once; later saves may only re-encrypt the same text (key rotation)."""
        if not self._state.adding:
            stored = TimelineEntry._base_manager.filter(pk=self.pk).values_list("text", flat=True)
            same = set(kwargs.get("update_fields") or ()) <= {"text"} and [self.text] == list(
                stored
            )
            if not same:
                raise RuntimeError("timeline entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refuse: the timeline is append-only."""
        raise RuntimeError("timeline entries are append-only")


class NotificationClock(ClientOwned):
    """One notification duty a rule started for one affected client, and how it was met."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    rule_id = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    soon_seconds = models.PositiveIntegerField()
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_by = models.CharField(max_length=254, blank=True, default="")
    decision = models.CharField(max_length=16, blank=True, default="")  # notified, not required
    note = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "client", "rule_id"], name="incidents_clock_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} due {self.due_at:%Y-%m-%d %H:%M}"

    def as_state(self) -> dict[str, Any]:
        """Return what the audit trail digests."""
        return {
            "rule": self.rule_id,
            "due_at": self.due_at.isoformat(),
            "notified_at": self.notified_at.isoformat() if self.notified_at else None,
            "notified_by": self.notified_by,
            "decision": self.decision,
            "note": self.note,
        }


class IncidentTask(ClientOwned):
    """One checklist task a playbook put on an incident (client: the operation)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    playbook = models.CharField(max_length=64)
    phase = models.CharField(max_length=16, blank=True, default="")
    text = models.TextField()
    outcome = models.CharField(max_length=16, blank=True, default="")  # "", done, skipped
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.CharField(max_length=254, blank=True, default="")
    note = EncryptedTextField(blank=True, default="")  # free text, also on the timeline

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="incidents_task_uniq")
        ]

    def __str__(self) -> str:
        return f"task {self.number}"
