"""Create the audit chain's single head row up front, so first appends never race to make it."""

from django.db import migrations


def create_head(apps, schema_editor):
    head = apps.get_model("core", "AuditHead")
    head.objects.get_or_create(id=1, defaults={"seq": 0, "hash": "0" * 64})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
