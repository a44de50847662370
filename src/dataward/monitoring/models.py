"""Store log sources, ingested events, what the rules have read, and the alerts they raised.

A source belongs to the client whose events it carries, or to the operation when its events name
their client per line; every event is owned by its own client. Events keep the normalised ECS
fields (with sensitive values in free text masked at ingest), never the raw line: the evidence of
an alert points back to the source file and line.
"""

from __future__ import annotations

from django.db import models

from dataward.core.scoping import ClientOwned

STATES = ("new", "investigating", "false_positive", "escalated", "resolved")


class LogSource(ClientOwned):
    """One log source: its mapping, the systems it covers, how often it must speak."""

    name = models.CharField(max_length=100, unique=True)
    mapping = models.TextField()
    product = models.CharField(max_length=64, blank=True)
    service = models.CharField(max_length=64, blank=True)
    systems = models.JSONField(default=list)
    expected_hours = models.IntegerField(null=True)
    retention_days = models.IntegerField(null=True)
    last_event_at = models.DateTimeField(null=True)
    last_ingest_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)


class IngestRun(ClientOwned):
    """One ingestion of one file (or stdin) into one source; resumable from ``offset``."""

    source = models.ForeignKey(LogSource, on_delete=models.CASCADE, related_name="runs")
    location = models.TextField()
    identity = models.CharField(max_length=128, blank=True)
    offset = models.BigIntegerField(default=0)
    lines = models.IntegerField(default=0)
    events = models.IntegerField(default=0)
    malformed = models.IntegerField(default=0)
    malformed_lines = models.JSONField(default=list)
    status = models.CharField(max_length=16, default="running")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    actor = models.CharField(max_length=150)


class LogEvent(ClientOwned):
    """One normalised event (ECS fields as JSON), its time, and where it came from."""

    source = models.ForeignKey(LogSource, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(IngestRun, on_delete=models.SET_NULL, null=True, related_name="+")
    line = models.IntegerField()
    ts = models.DateTimeField()
    category = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=128, blank=True)
    user_name = models.CharField(max_length=254, blank=True)
    doc = models.TextField()

    class Meta:
        indexes = [
            models.Index(fields=["client", "ts"], name="monitoring_event_ts"),
            models.Index(fields=["source", "ts"], name="monitoring_event_source_ts"),
        ]


class RuleCursor(ClientOwned):
    """The last event a rule (in one version) has read for one client."""

    rule = models.CharField(max_length=200)
    digest = models.CharField(max_length=32)
    last_event = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "rule"], name="monitoring_cursor_uniq")
        ]


class CorrelationMatch(ClientOwned):
    """One event that fed a correlation rule: its group and counted value."""

    correlation = models.CharField(max_length=200)
    rule = models.CharField(max_length=200)
    event = models.BigIntegerField()
    ts = models.DateTimeField()
    group = models.CharField(max_length=500)
    value = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=100)
    line = models.IntegerField()
    values = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "correlation", "rule", "event"], name="monitoring_corr_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["client", "correlation", "group", "ts"], name="monitoring_corr_g")
        ]


class Alert(ClientOwned):
    """One alert: a rule's matches for one user (or host) close together in time."""

    ref = models.CharField(max_length=32, unique=True)
    rule = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    level = models.CharField(max_length=16)
    group = models.CharField(max_length=500)
    subject = models.CharField(max_length=254, blank=True)
    summary = models.TextField(blank=True)
    facts = models.JSONField(default=dict)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    event_count = models.IntegerField(default=0)
    evidence = models.JSONField(default=list)
    state = models.CharField(max_length=16, default="new")
    assignee = models.CharField(max_length=150, blank=True)
    incident_ref = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    triaged_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["client", "rule", "group", "last_seen"], name="monitoring_alert_g"
            ),
            models.Index(fields=["client", "state"], name="monitoring_alert_state"),
        ]
