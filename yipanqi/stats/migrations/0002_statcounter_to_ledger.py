"""StatCounter now belongs to the ledger (ledger.0001 takes it over in state); the table and
its rows stay. After births.0004, the last migration that reads stats.StatCounter."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_initial"),
        ("ledger", "0001_initial"),
        ("births", "0004_mark_duplicate_birth_reports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="StatCounter")],
            database_operations=[],
        ),
    ]
