"""Register the discovery package as a Django app."""

from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    """Scan runs, scanned locations, findings and the data inventory."""

    name = "dataward.discovery"
    label = "discovery"
    verbose_name = "dataward discovery"
