"""Default deadlines of the birth request types in the seeded rule sets (seed.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from yipanqi.births.seed import add_default_deadlines

    add_default_deadlines(apps.get_model("exchange", "RuleSet"))


class Migration(migrations.Migration):
    dependencies = [
        ("births", "0001_initial"),
        ("exchange", "0004_ruleset_certificate_long_term_alter_request_type"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
