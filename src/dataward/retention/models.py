"""Store retention policies, legal holds, disposal plans and the record of every disposed item.

A plan's items keep what was planned (path below the scanned root, size, SHA-256) and, once
executed, the certificate facts (method, time, operator, verifier, outcome). An item moves
planned -> disposing -> destroying -> disposed (or skipped, with the reason). ``disposing`` (the
item is claimed) is committed before the file is opened, ``destroying`` with the file's identity
(device and inode) once it is verified and before its first byte is touched, so a resumed run
knows whether the file was touched and finishes only that very file.
"""

from __future__ import annotations

from django.db import models

from dataward.core.scoping import ClientOwned

PLAN_STATES = ("draft", "approved", "executing", "done", "cancelled")
ITEM_STATES = ("planned", "disposing", "destroying", "disposed", "skipped")


class RetentionPolicy(ClientOwned):
    """The retention rules in force for one client, from a policy file."""

    rules = models.JSONField(default=list)
    location = models.TextField()
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()
    loaded_by = models.CharField(max_length=150)


class LegalHold(ClientOwned):
    """A legal hold on a client's data: a matter, what it covers, who placed it and why."""

    ref = models.CharField(max_length=32, unique=True)
    matter = models.CharField(max_length=200)
    path = models.TextField(blank=True)
    category = models.CharField(max_length=16, blank=True)
    reason = models.TextField()
    placed_by = models.CharField(max_length=150)
    placed_at = models.DateTimeField()
    released_by = models.CharField(max_length=150, blank=True)
    released_at = models.DateTimeField(null=True)
    release_reason = models.TextField(blank=True)


class DisposalPlan(ClientOwned):
    """A list of items to dispose of, made by one user and approved by another."""

    ref = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=16, default="draft")
    method = models.CharField(max_length=16, default="delete")
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    approved_by = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    note = models.TextField(blank=True)


class DisposalItem(ClientOwned):
    """One planned file and, once executed, its certificate of disposal."""

    plan = models.ForeignKey(DisposalPlan, on_delete=models.PROTECT, related_name="items")
    seq = models.IntegerField()
    root = models.TextField()
    rel = models.TextField()
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    category = models.CharField(max_length=16)
    categories = models.JSONField(default=list)  # every category the file held when planned
    identity = models.CharField(max_length=64, blank=True)  # device:inode, once destroying
    reason = models.TextField()
    status = models.CharField(max_length=16, default="planned")
    outcome = models.TextField(blank=True)
    operator = models.CharField(max_length=150, blank=True)
    disposed_at = models.DateTimeField(null=True)

    @property
    def path(self) -> str:
        """Return the item's full path (its root and the path below it)."""
        return f"{self.root.rstrip('/')}/{self.rel}"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "seq"], name="retention_item_uniq")]


class RowMeasure(ClientOwned):
    """How many rows of a location are past retention by a date column, when last measured."""

    location = models.TextField()
    category = models.CharField(max_length=16)
    column = models.CharField(max_length=200)
    keep_days = models.IntegerField()
    total = models.IntegerField(null=True)
    expired = models.IntegerField(null=True)
    undated = models.IntegerField(null=True)
    oldest = models.DateField(null=True)
    error = models.TextField(blank=True)
    measured_at = models.DateTimeField()
