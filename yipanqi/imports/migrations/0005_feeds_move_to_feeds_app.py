"""FeedReport, FeedRecord and Lead now belong to the feeds app (feeds 0001): out of imports'
state only; their tables and rows stay (feeds 0002 renames them)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0004_merge_20261203_0156'),
        ('feeds', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='Lead'),
                migrations.DeleteModel(name='FeedRecord'),
                migrations.DeleteModel(name='FeedReport'),
            ],
        ),
    ]
