"""Store clients, the tool's own users, the audit trail and key check values."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models

from dataward.core.fields import EncryptedTextField

OPERATION_SLUG = "operation"


class Client(models.Model):
    """A client company whose data the operation handles, or the operation itself."""

    KIND_CHOICES = [("client", "client"), ("operation", "operation")]

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=KIND_CHOICES, default="client")
    industry = models.CharField(max_length=100, blank=True)
    data_categories = models.JSONField(default=list)
    frameworks = models.JSONField(default=list)
    breach_notification_hours = models.PositiveIntegerField(null=True, blank=True)
    retention_rules = models.JSONField(default=list)
    approved_locations = models.JSONField(default=list)
    phone_regions = models.JSONField(default=list)
    timezone = models.CharField(max_length=64, default="UTC")
    working_hours = models.CharField(max_length=32, blank=True)
    security_contact = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def is_operation(self) -> bool:
        """Return True for the record that stands for the operation itself."""
        return self.kind == "operation"

    def as_state(self) -> dict[str, Any]:
        """Return the fields the audit trail digests (contact left out as it is encrypted)."""
        return {
            "slug": self.slug,
            "name": self.name,
            "kind": self.kind,
            "industry": self.industry,
            "data_categories": self.data_categories,
            "frameworks": self.frameworks,
            "breach_notification_hours": self.breach_notification_hours,
            "retention_rules": self.retention_rules,
            "approved_locations": self.approved_locations,
            "phone_regions": self.phone_regions,
            "timezone": self.timezone,
            "working_hours": self.working_hours,
            "security_contact_set": bool(self.security_contact),
        }

    def audit_state(self) -> dict[str, Any]:
        """Return what the audit trail digests: the state plus the contact (digested, keyed)."""
        return {**self.as_state(), "security_contact": self.security_contact}


class User(AbstractUser):
    """A person who uses dataward itself, with a role and an optional client scope."""

    ROLE_CHOICES = [(r, r) for r in ("admin", "analyst", "manager", "auditor", "client-viewer")]

    role = models.CharField(max_length=20, choices=ROLE_CHOICES, default="auditor")
    clients = models.ManyToManyField(Client, blank=True, related_name="+")

    def as_state(self) -> dict[str, Any]:
        """Return the fields the audit trail digests (never the password hash)."""
        return {
            "username": self.username,
            "email": self.email,
            "role": self.role,
            "active": self.is_active,
            "clients": sorted(c.slug for c in self.clients.all()) if self.pk else [],
        }


class AuditEvent(models.Model):
    """One append-only, hash-chained record of a state-changing action."""

    seq = models.BigIntegerField(unique=True)
    at = models.CharField(max_length=40)
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=100)
    client = models.CharField(max_length=64, blank=True, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=200, blank=True)
    before = models.CharField(max_length=64, blank=True)
    after = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict)
    key_id = models.CharField(max_length=32)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once; the trail is append-only."""
        if not self._state.adding:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refuse: the trail is append-only."""
        raise RuntimeError("audit events are append-only")


class AuditHead(models.Model):
    """The single row locked while an event is appended, so links never fork."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class KeyCheck(models.Model):
    """A value derived from each workspace key, to recognise a wrong key at once."""

    key_id = models.CharField(max_length=32, primary_key=True)
    check_value = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key_id
