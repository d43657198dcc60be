"""Region and RuleSet now belong to the regions app (regions 0001): Request.rule_set points there
and exchange's state forgets them. State only: the tables and their rows are not touched.

It runs after every data migration that reads the rule sets as exchange's (the deadlines that
certificates, births and services add), so those keep working on a fresh database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0006_merge_20261203_0156'),
        ('regions', '0001_initial'),
        ('births', '0002_default_deadlines'),
        ('certificates', '0002_default_deadlines'),
        ('services', '0002_seed_free_list_and_deadlines'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='request',
                    name='rule_set',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requests', to='regions.ruleset'),
                ),
                migrations.DeleteModel(name='RuleSet'),
                migrations.DeleteModel(name='Region'),
            ],
            database_operations=[],
        ),
    ]
