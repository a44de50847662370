"""Register the access package as a Django app."""

from django.apps import AppConfig


class AccessConfig(AppConfig):
    """People, accounts, entitlements, role matrices, exceptions and access reviews."""

    name = "dataward.access"
    label = "access"
    verbose_name = "dataward access"
