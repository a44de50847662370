"""Register the risks package as a Django app."""

from django.apps import AppConfig


class RisksConfig(AppConfig):
    """The risk register and its history."""

    name = "dataward.risks"
    label = "risks"
    verbose_name = "dataward risks"
