"""Store the vendor register: vendors, their reviews, questionnaire answers and duties.

Vendors belong to the operation (the operation contracts them) and list the clients whose data
they touch; a client-scoped user sees the vendors touching their clients. Nothing is deleted:
a vendor that stops serving is offboarded, and its history stays.
"""

from __future__ import annotations

from django.db import models

from dataward.core.scoping import ClientOwned


class Vendor(ClientOwned):
    """One third party: its services, the clients and data it touches, its agreement, reviews."""

    name = models.CharField(max_length=200)
    key = models.CharField(max_length=200)  # the name without case or extra spaces
    services = models.JSONField(default=list)
    clients = models.JSONField(default=list)  # client slugs
    data_categories = models.JSONField(default=list)
    access = models.JSONField(default=list)  # network, privileged
    owner = models.CharField(max_length=254, blank=True)  # dataward user or e-mail
    dpa_signed = models.BooleanField(default=False)
    dpa_date = models.DateField(null=True)
    last_review = models.DateField(null=True)
    next_review_due = models.DateField(null=True)
    declared_tier = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=16, default="active")  # active, offboarded
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="vendors_key_uniq")]


class VendorReview(ClientOwned):
    """One security review of a vendor: when, by whom, the outcome and the next due date."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField()
    next_due = models.DateField()
    outcome = models.CharField(max_length=16)  # approved, conditional, rejected
    tier = models.CharField(max_length=8)
    note = models.TextField(blank=True)
    reviewer = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()


class QuestionnaireSubmission(ClientOwned):
    """One answers file recorded for a vendor, with the evidence files given with it."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    template_version = models.CharField(max_length=32)
    answered_on = models.DateField()
    source = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    files = models.JSONField(default=list)  # [{name, sha256, size}]
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()


class QuestionnaireAnswer(ClientOwned):
    """A vendor's current answer to one question (a later submission replaces it)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    submission = models.ForeignKey(
        QuestionnaireSubmission, on_delete=models.PROTECT, related_name="+"
    )
    question = models.CharField(max_length=32)
    value = models.JSONField()
    comment = models.TextField(blank=True)
    evidence = models.JSONField(default=list)  # [{name, sha256, size}]
    answered_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor", "question"], name="vendors_answer_uniq")
        ]


class Responsibility(ClientOwned):
    """One row of a vendor's responsibilities matrix: who does an activity, who answers for it."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    activity = models.CharField(max_length=50)
    responsible = models.JSONField(default=list)  # operation, vendor, client
    accountable = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    set_by = models.CharField(max_length=150)
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor", "activity"], name="vendors_duty_uniq")
        ]
