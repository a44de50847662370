"""Register the training package as a Django app."""

from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Courses, requirements, LMS completions and phishing-simulation results."""

    name = "dataward.training"
    label = "training"
    verbose_name = "dataward training"
