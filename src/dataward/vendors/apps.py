"""Register the vendors package as a Django app."""

from django.apps import AppConfig


class VendorsConfig(AppConfig):
    """Third parties: register, reviews, questionnaires and responsibilities."""

    name = "dataward.vendors"
    label = "vendors"
    verbose_name = "dataward vendors"
