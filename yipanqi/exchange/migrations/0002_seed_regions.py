"""Seed the regions of R-REG-1 (data in yipanqi/regions/seed.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from yipanqi.regions.seed import seed_regions

    seed_regions(apps.get_model("exchange", "Region"), apps.get_model("exchange", "RuleSet"))


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
