"""The national free-service list (R-SVC-1) and the default deadlines of the service-report and
complaint-referral request types in the seeded rule sets (data in yipanqi/services/seed.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from yipanqi.services.seed import add_default_deadlines, seed_service_types

    seed_service_types(apps.get_model("services", "ServiceType"))
    add_default_deadlines(apps.get_model("exchange", "RuleSet"))


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0001_initial"),
        ("exchange", "0003_service_and_complaint_types"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
