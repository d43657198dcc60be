from django.db import migrations
from django.db.models import F

# Issue 16.11: before this migration the same birth could be reported twice (the hospital feed
# and the village, or two forms), counted twice in the sex ratio (R-STAT-5). Nothing is deleted:
# a later report of the same mother, date and child's sex is kept as a duplicate of the first
# and taken out of the counters; reports of the other sex on the same day are her twins and
# numbered 2, 3... Then one counted report per child is a database constraint.
LEVEL_LENGTHS = (2, 4, 6, 9, 12)  # divisions.codes.LEVEL_LENGTHS, frozen for this migration


def mark_duplicates(apps, schema_editor):
    BirthReport = apps.get_model("births", "BirthReport")
    StatCounter = apps.get_model("stats", "StatCounter")
    groups = {}
    for report in BirthReport.objects.order_by("mother_id", "birth_date", "id").iterator():
        groups.setdefault((report.mother_id, report.birth_date), []).append(report)
    for reports in groups.values():
        if len(reports) < 2:
            continue
        first_of_sex = {}
        order = 0
        for report in reports:
            original = first_of_sex.get(report.child_sex)
            if original is None:
                order += 1
                first_of_sex[report.child_sex] = report
                if report.birth_order != order:
                    BirthReport.objects.filter(pk=report.pk).update(birth_order=order)
                continue
            BirthReport.objects.filter(pk=report.pk).update(
                duplicate_of=original, birth_order=original.birth_order
            )
            metric = {"M": "birth.male", "F": "birth.female"}.get(report.child_sex)
            code = report.unit_id or ""
            if metric is None or not code:
                continue
            prefixes = [""] + [code[:n] for n in LEVEL_LENGTHS if n <= len(code)]
            StatCounter.objects.filter(
                division_code__in=prefixes,
                metric=metric,
                key="",
                period_start=report.birth_date.replace(day=1),
            ).update(value=F("value") - 1)


class Migration(migrations.Migration):

    dependencies = [
        ('births', '0003_birth_order_and_duplicate_of'),
        ('stats', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(mark_duplicates, migrations.RunPython.noop),
    ]
