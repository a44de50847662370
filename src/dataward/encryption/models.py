"""Store TLS endpoints and their check history, transfer channels, and the at-rest register.

Everything belongs to a client (the operation's own endpoints to the operation record). A TLS
check keeps what it learned as plain facts and its verdicts, never a key or a certificate body.
"""

from __future__ import annotations

from django.db import models

from dataward.core.scoping import ClientOwned


class TlsEndpoint(ClientOwned):
    """One endpoint in scope for a client: its TLS configuration is checked and judged."""

    host = models.CharField(max_length=253)
    port = models.IntegerField()
    purpose = models.CharField(max_length=200, blank=True)
    protocol = models.CharField(max_length=8, default="https")  # https (HSTS judged) or tls
    source = models.CharField(max_length=200, blank=True)  # manual, file X, channel Y
    ca_file = models.CharField(
        max_length=500, blank=True
    )  # a private CA to trust besides Mozilla's
    added_by = models.CharField(max_length=150)
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "host", "port"], name="encryption_tls_uniq")
        ]


class TlsScan(ClientOwned):
    """One TLS check of one endpoint: when, by whom, the facts seen and the verdicts then."""

    endpoint = models.ForeignKey(
        TlsEndpoint, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    host = models.CharField(max_length=253)
    port = models.IntegerField()
    checked_at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    verdict = models.CharField(max_length=8)  # pass, warning, fail, error
    findings = models.JSONField(default=list)  # [{code, status, message, evidence}]
    facts = models.JSONField(default=dict)  # engine.tls_facts.to_dict
    profile = models.CharField(max_length=64)
    sslyze_version = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [  # the latest result per endpoint is what checks and listings read
            models.Index(
                fields=["client", "host", "port", "checked_at"], name="encryption_scan_latest"
            )
        ]


class TransferChannel(ClientOwned):
    """One channel a client's data moves through, as the channel register lists it."""

    ref = models.CharField(max_length=100)
    protocol = models.CharField(max_length=16)
    host = models.CharField(max_length=253, blank=True)
    port = models.IntegerField(null=True)
    url = models.CharField(max_length=500, blank=True)
    transport = models.CharField(max_length=8, blank=True)  # tls, ssh, none
    tls_min_version = models.CharField(max_length=8, blank=True)
    direction = models.CharField(max_length=16, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    approved = models.BooleanField(default=True)
    source = models.CharField(max_length=255)  # the register file it came from
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "ref"], name="encryption_channel_uniq")
        ]


class AtRestLocation(ClientOwned):
    """A data location prefix (share, database, bucket) and whether it is encrypted at rest."""

    path = models.CharField(max_length=1000)
    state = models.CharField(max_length=12)  # encrypted, unencrypted, unknown
    method = models.CharField(max_length=100, blank=True)  # BitLocker, LUKS, TDE, SSE-KMS, ...
    note = models.CharField(max_length=500, blank=True)
    set_by = models.CharField(max_length=150)
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "path"], name="encryption_at_rest_uniq")
        ]
