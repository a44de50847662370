"""Store identities and access: imports, people, accounts, entitlements, matrices, reviews.

People and directory accounts belong to the operation (the workforce serves every client);
entitlements, role matrices, exceptions and review campaigns belong to the client whose systems
they concern. Each import replaces its source's rows in one transaction, so importing the same
export twice leaves the same state.
"""

from __future__ import annotations

from django.db import models

from dataward.core.scoping import ClientOwned, TimeBoxedException


class ImportRun(ClientOwned):
    """One `dataward access import` of one source."""

    kind = models.CharField(max_length=16)
    source = models.CharField(max_length=200)
    location = models.TextField()
    sha256 = models.CharField(max_length=64, blank=True)
    counts = models.JSONField(default=dict)
    imported_at = models.DateTimeField()
    actor = models.CharField(max_length=150)


class Person(ClientOwned):
    """One person on the HR roster."""

    employee_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=16)
    start_date = models.DateField(null=True)
    end_date = models.DateField(null=True)
    department = models.CharField(max_length=100, blank=True)
    job_role = models.CharField(max_length=100)
    clients = models.JSONField(default=list)
    manager_id = models.CharField(max_length=64, blank=True)
    last_role_change = models.DateField(null=True)
    row = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "employee_id"], name="access_person_uniq")
        ]


class DirectoryAccount(ClientOwned):
    """One account in one directory source (CSV, SCIM, Entra, LDAP)."""

    source = models.CharField(max_length=100)
    username = models.CharField(max_length=254)
    employee_id = models.CharField(max_length=64, blank=True)
    email = models.CharField(max_length=254, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    mfa_registered = models.BooleanField(null=True)
    mfa_enforced = models.BooleanField(null=True)
    last_login = models.DateTimeField(null=True)
    groups = models.JSONField(default=list)
    privileged = models.BooleanField(default=False)
    login_lag_days = models.IntegerField(default=0)
    aliases = models.JSONField(default=list)
    row = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "source", "username"], name="access_account_uniq"
            )
        ]


class Entitlement(ClientOwned):
    """One permission one account holds in one of the client's systems."""

    system = models.CharField(max_length=100)
    account = models.CharField(max_length=254)
    application = models.CharField(max_length=200)
    permission = models.CharField(max_length=200)
    privileged = models.BooleanField(default=False)
    granted_date = models.DateField(null=True)
    last_used = models.DateField(null=True)
    granted_by = models.CharField(max_length=254, blank=True)
    row = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["client", "system"], name="access_ent_system")]


class RoleMatrixRecord(ClientOwned):
    """The client's current role matrix, validated, as plain data."""

    spec = models.JSONField()
    location = models.TextField()
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client"], name="access_matrix_uniq")]


class LinkDecision(ClientOwned):
    """A person's confirmation that an account belongs to an employee (fuzzy matches)."""

    username = models.CharField(max_length=254)
    employee_id = models.CharField(max_length=64)
    decided_by = models.CharField(max_length=150)
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "username"], name="access_link_uniq")
        ]


class AccessExceptionRecord(TimeBoxedException):
    """A time-boxed exception to the access rules, approved by someone other than its requester."""

    account = models.CharField(max_length=254)
    system = models.CharField(max_length=100)
    permission = models.CharField(max_length=200)


class ReviewCampaign(ClientOwned):
    """One access review of a client's entitlements."""

    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, default="open")  # open, closed
    started_at = models.DateTimeField()
    started_by = models.CharField(max_length=150)
    due = models.DateField(null=True)
    closed_at = models.DateTimeField(null=True)
    closed_by = models.CharField(max_length=150, blank=True)


class ReviewItem(ClientOwned):
    """One person x entitlement to certify, revoke or modify."""

    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="+")
    number = models.IntegerField()
    employee_id = models.CharField(max_length=64, blank=True)
    person_name = models.CharField(max_length=200, blank=True)
    job_role = models.CharField(max_length=100, blank=True)
    manager_id = models.CharField(max_length=64, blank=True)
    system = models.CharField(max_length=100)
    account = models.CharField(max_length=254)
    permission = models.CharField(max_length=200)
    privileged = models.BooleanField(default=False)
    flags = models.JSONField(default=list)
    decision = models.CharField(max_length=16, default="pending")  # certify, revoke, modify
    new_permission = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True)
    verified = models.BooleanField(null=True)
    verified_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="access_review_item_uniq")
        ]
