"""Region and RuleSet move here from exchange (R-REG-1): in the state only, on exchange's tables.

The tables stay as they are and keep their rows; exchange 0007 takes the models out of its own
state and points Request.rule_set here, then 0002 renames the tables to regions_*.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('exchange', '0006_merge_20261203_0156'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Region',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=32, unique=True)),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('kind', models.CharField(choices=[('national', 'National default'), ('region', 'Collaboration region'), ('province', 'Province')], max_length=10)),
                        ('provinces', models.JSONField(blank=True, default=list)),
                        ('convenor', models.CharField(blank=True, max_length=2, verbose_name='convenor')),
                    ],
                    options={
                        'ordering': ['kind', 'code'],
                        'db_table': 'exchange_region',
                    },
                ),
                migrations.CreateModel(
                    name='RuleSet',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('effective_from', models.DateField(verbose_name='effective from')),
                        ('deadlines', models.JSONField(default=dict)),
                        ('checkups_min_per_year', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('checkups_max_per_year', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('targets', models.JSONField(blank=True, default=dict)),
                        ('certificate_long_term', models.BooleanField(default=False)),
                        ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rule_sets', to='regions.region')),
                    ],
                    options={
                        'ordering': ['region', '-effective_from', '-id'],
                        'db_table': 'exchange_ruleset',
                        'indexes': [models.Index(fields=['region', 'effective_from'], name='ruleset_region_from')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
