"""The seeded rule sets' note named a rule id (R-REG-1), shown on the region page: in words now
(issue 12.9)."""

from django.db import migrations

OLD_NOTE = "seed (DOMAIN.md R-REG-1)"


def reword(apps, schema_editor):
    from yipanqi.regions.seed import SEED_NOTE

    apps.get_model("exchange", "RuleSet").objects.filter(note=OLD_NOTE).update(note=SEED_NOTE)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0004_ruleset_certificate_long_term_alter_request_type")]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
