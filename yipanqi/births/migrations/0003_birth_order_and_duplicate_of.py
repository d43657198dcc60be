# Issue 16.11: which child of the delivery, and a duplicate kept but not counted.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('births', '0002_default_deadlines'),
        ('divisions', '0001_initial'),
        ('exchange', '0004_ruleset_certificate_long_term_alter_request_type'),
        ('people', '0006_recently_updated_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='birthreport',
            name='birth_order',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='child of the delivery'),
        ),
        migrations.AddField(
            model_name='birthreport',
            name='duplicate_of',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='births.birthreport'),
        ),
    ]
