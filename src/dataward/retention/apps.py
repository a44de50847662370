"""Register the retention package as a Django app."""

from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Retention policies, legal holds, disposal plans and their certificates."""

    name = "dataward.retention"
    label = "retention"
    verbose_name = "dataward retention"
