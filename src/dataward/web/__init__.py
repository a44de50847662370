"""The dashboard and HTTP API: Django views and templates with htmx, and a django-ninja API."""
