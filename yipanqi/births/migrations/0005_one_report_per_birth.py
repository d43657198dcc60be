# Issue 16.11: one counted report per child (R-STAT-5 counts a birth once).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('births', '0004_mark_duplicate_birth_reports'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='birthreport',
            constraint=models.UniqueConstraint(condition=models.Q(('duplicate_of__isnull', True)), fields=('mother', 'birth_date', 'birth_order'), name='birthreport_one_report_per_child'),
        ),
        migrations.AddConstraint(
            model_name='birthreport',
            constraint=models.CheckConstraint(condition=models.Q(('birth_order__gte', 1), ('birth_order__lte', 9)), name='birthreport_birth_order_1_to_9'),
        ),
    ]
