"""StatCounter moves from stats to the ledger in state only: the table stats created stays,
with its rows, its unique constraint and its name (stats.0002 removes it from stats' state)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("stats", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StatCounter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("division_code", models.CharField(max_length=12)),
                        ("metric", models.CharField(max_length=40)),
                        ("key", models.CharField(blank=True, default="", max_length=40)),
                        ("period_start", models.DateField()),
                        ("value", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "stats_statcounter",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("division_code", "metric", "period_start", "key"),
                                name="statcounter_unique_cell",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
