"""Store assessments and every check result with its time, per client."""

from __future__ import annotations

from django.db import models

from dataward.core.scoping import ClientOwned, TimeBoxedException


class Assessment(ClientOwned):
    """One run of the checks for one client (or the operation)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    actor = models.CharField(max_length=150)
    counts = models.JSONField(default=dict)


class CheckResult(ClientOwned):
    """The result of one check on one subject within an assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    check_id = models.CharField(max_length=120, db_index=True)
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=16)
    status = models.CharField(max_length=16, db_index=True)
    subject = models.CharField(max_length=300)
    summary = models.TextField()
    evidence = models.JSONField(default=list)
    at = models.DateTimeField()
    controls = models.JSONField(default=list)  # ids of the catalog controls this check evidences
    exception_ref = models.CharField(max_length=32, blank=True)


class CheckException(TimeBoxedException):
    """A time-boxed exception to one check's failures, approved by someone other than its author."""

    check_id = models.CharField(max_length=120, blank=True)  # "" when it waives a whole control
    control_id = models.CharField(max_length=16, blank=True)  # every check of this control
    subject = models.CharField(max_length=300, default="*")


class Attestation(ClientOwned):
    """A person's signed statement that a control is in place, with hashed evidence files."""

    control_id = models.CharField(max_length=16, db_index=True)
    attester = models.CharField(max_length=150)
    statement = models.TextField()
    files = models.JSONField(default=list)  # [{"name", "sha256", "size"}]; bytes in evidence/
    attested_at = models.DateTimeField()
    expires = models.DateField()


class ControlAssignment(ClientOwned):
    """Who owns a control for a client, and by when it must be in place."""

    control_id = models.CharField(max_length=16)
    owner = models.CharField(max_length=150)
    due = models.DateField(null=True)
    assigned_by = models.CharField(max_length=150)
    assigned_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "control_id"], name="controls_assignment_uniq"
            )
        ]


class CustomFramework(ClientOwned):
    """A client's own control set or an extra framework, mapped onto the baseline controls."""

    framework_id = models.CharField(max_length=48)
    title = models.CharField(max_length=200)
    requirements = models.JSONField(default=list)  # [{"id", "title", "controls": [...]}]
    location = models.TextField()
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField()
    imported_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "framework_id"], name="controls_custom_fw_uniq"
            )
        ]
