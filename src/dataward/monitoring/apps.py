"""Register the monitoring package as a Django app."""

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Log sources, ingested events, rule cursors and alerts."""

    name = "dataward.monitoring"
    label = "monitoring"
    verbose_name = "dataward monitoring"
