"""Store what scans found: runs, locations, findings, column profiles and the inventory.

Nothing here holds a raw sensitive value: a finding keeps where it is, its type, score, a masked
preview and a keyed fingerprint (ARCHITECTURE.md, "Privacy first").
"""

from __future__ import annotations

from django.db import models

from dataward.core.scoping import ClientOwned


class ScanRun(ClientOwned):
    """One `dataward scan` of one or more targets for one client."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    actor = models.CharField(max_length=150)
    status = models.CharField(max_length=16, default="running")
    targets = models.JSONField(default=list)
    counts = models.JSONField(default=dict)


class Location(ClientOwned):
    """A scanned file or database table, with what made it skippable next time."""

    kind = models.CharField(max_length=8)  # "file" or "table"
    root = models.TextField()
    path = models.TextField()
    size = models.BigIntegerField(default=0)
    mtime_ns = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    modified_at = models.DateTimeField(null=True)
    owner = models.CharField(max_length=150, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    last_run = models.ForeignKey(ScanRun, on_delete=models.SET_NULL, null=True, related_name="+")
    present = models.BooleanField(default=True)
    skipped = models.JSONField(default=list)
    findings_total = models.IntegerField(default=0)
    truncated = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "root", "path"], name="discovery_location_uniq"
            )
        ]


class Finding(ClientOwned):
    """One sensitive value seen at one place: never the value, only where, what and its hashes."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    entity_type = models.CharField(max_length=32, db_index=True)
    category = models.CharField(max_length=16)
    member = models.CharField(max_length=500, blank=True)
    sheet = models.CharField(max_length=200, blank=True)
    page = models.IntegerField(null=True)
    line = models.IntegerField(null=True)
    row = models.IntegerField(null=True)
    column = models.CharField(max_length=300, blank=True)
    start = models.IntegerField()
    end = models.IntegerField()
    score = models.FloatField()
    preview = models.CharField(max_length=80)
    fingerprint = models.CharField(max_length=64, db_index=True)

    class Meta:
        # The findings page sorts a million rows by score, within an entity type or not, and
        # counts them per entity type from the index alone (bench/web_bench.py).
        indexes = [
            models.Index(fields=["score"], name="discovery_finding_score"),
            models.Index(fields=["entity_type", "score", "client"], name="discovery_finding_es"),
        ]


class ColumnProfile(ClientOwned):
    """How much of one table column holds one entity type."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    member = models.CharField(max_length=500, blank=True)
    column = models.CharField(max_length=300)
    entity_type = models.CharField(max_length=32)
    rows_with = models.IntegerField()
    rows_total = models.IntegerField()


class InventoryItem(ClientOwned):
    """The data inventory: per location and entity type, how much, how many distinct, since when."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    entity_type = models.CharField(max_length=32)
    category = models.CharField(max_length=16)
    count = models.IntegerField()
    distinct = models.IntegerField()
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "location", "entity_type"], name="discovery_inventory_uniq"
            )
        ]
        # The inventory page lists the largest holdings first and totals each client's
        # categories from the index alone (bench/web_bench.py).
        indexes = [
            models.Index(fields=["count"], name="discovery_inventory_count"),
            models.Index(
                fields=["client", "category", "location", "count"], name="discovery_inventory_cat"
            ),
        ]
