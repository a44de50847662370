"""Register the core package as a Django app."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Clients, users, audit trail and key checks."""

    name = "dataward.core"
    label = "core"
    verbose_name = "dataward core"
