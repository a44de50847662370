"""Store training: courses, requirements, settings, LMS completions, phishing results, imports.

Courses, settings, completions, phishing results and import runs belong to the operation (the
workforce serves every client); a requirement belongs to the client it names, or to the
operation when it is workforce-wide. Each import replaces its kind in one transaction.
"""

from __future__ import annotations

from django.db import models

from dataward.core.scoping import ClientOwned


class TrainingImport(ClientOwned):
    """One `dataward training import` (or requirements load) of one file."""

    kind = models.CharField(max_length=16)  # completions, phishing, requirements
    location = models.TextField()
    sha256 = models.CharField(max_length=64, blank=True)
    counts = models.JSONField(default=dict)
    imported_at = models.DateTimeField()
    actor = models.CharField(max_length=150)


class Course(ClientOwned):
    """One course of the requirements file: code, LMS title and other titles it goes by."""

    code = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    aliases = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "code"], name="training_course_uniq")
        ]


class Requirement(ClientOwned):
    """Who must take a course (job roles; the client it belongs to), how often and by when."""

    course_code = models.CharField(max_length=64)
    roles = models.JSONField(default=list)
    every_days = models.IntegerField(null=True)  # None: once
    within_days = models.IntegerField()
    after = models.CharField(max_length=16)  # hire or assignment
    before_access = models.BooleanField(default=False)
    position = models.IntegerField()


class TrainingSettings(ClientOwned):
    """The judging settings of the requirements file in force, and where it came from."""

    due_soon_days = models.IntegerField()
    joiner_days = models.IntegerField()
    phishing_threshold = models.FloatField()
    phishing_min_sample = models.IntegerField()
    phishing_team = models.CharField(max_length=16)
    phishing_window_days = models.IntegerField()
    location = models.TextField()
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client"], name="training_settings_uniq")]


class Completion(ClientOwned):
    """One LMS row: a course completed by a person, or assigned to them and still open."""

    employee_id = models.CharField(max_length=64, blank=True)
    email = models.CharField(max_length=254, blank=True)
    course = models.CharField(max_length=200)
    completed_on = models.DateField(null=True)
    due_on = models.DateField(null=True)
    score = models.FloatField(null=True)
    row = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["client", "employee_id"], name="training_completion_eid")]


class PhishingResult(ClientOwned):
    """One simulated phishing email sent to one person, and whether they clicked or reported."""

    campaign = models.CharField(max_length=200)
    employee_id = models.CharField(max_length=64, blank=True)
    email = models.CharField(max_length=254, blank=True)
    sent_on = models.DateField(null=True)
    clicked = models.BooleanField(default=False)
    reported = models.BooleanField(default=False)
    row = models.IntegerField(default=0)
