"""Store the risk register per client (or the operation) and every change to each risk."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dataward.core.scoping import ClientOwned


class Risk(ClientOwned):
    """One risk: what could go wrong, how likely and how bad, and what is done about it."""

    ref = models.CharField(max_length=16, unique=True)  # RISK-0001, unique in the workspace
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=24)
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    residual_likelihood = models.PositiveSmallIntegerField(null=True)
    residual_impact = models.PositiveSmallIntegerField(null=True)
    owner = models.CharField(max_length=254, blank=True)
    treatment = models.CharField(max_length=16, default="mitigate")
    plan = models.TextField(blank=True)
    due = models.DateField(null=True)
    status = models.CharField(max_length=20, default="open", db_index=True)
    # "control:AC-01" or "check:<id>" for risks the checks raise; "" for risks people enter.
    source_key = models.CharField(max_length=140, blank=True)
    external_ref = models.CharField(max_length=64, blank=True)  # id in an imported register
    controls = models.JSONField(default=list)
    checks = models.JSONField(default=list)
    findings = models.JSONField(default=list)  # "check: subject" of the latest failures
    alerts = models.JSONField(default=list)
    incidents = models.JSONField(default=list)
    accepted_by = models.CharField(max_length=150, blank=True)
    accepted_at = models.DateTimeField(null=True)
    acceptance_expires = models.DateField(null=True)
    acceptance_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "source_key"],
                condition=~Q(source_key=""),
                name="risks_one_per_control_and_client",
            ),
            models.UniqueConstraint(
                fields=["client", "external_ref"],
                condition=~Q(external_ref=""),
                name="risks_one_per_imported_ref",
            ),
        ]

    @property
    def inherent(self) -> int:
        """Return the inherent score (likelihood x impact)."""
        return self.likelihood * self.impact

    @property
    def residual(self) -> int | None:
        """Return the residual score once treatment is judged, else None."""
        if self.residual_likelihood is None or self.residual_impact is None:
            return None
        return self.residual_likelihood * self.residual_impact


class RiskEvent(ClientOwned):
    """One entry in a risk's history: raised, failing again, proposed for closure, accepted..."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    kind = models.CharField(max_length=32)
    detail = models.JSONField(default=dict)
