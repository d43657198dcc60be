"""A service record names the stay it was given under (R-STAT-1 service coverage): the person's
inflow registration within the recording unit's area on the day given. Existing records are
linked the same way; statistics counters are rebuilt with `yipanqi stats recount`."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


def link_stays(apps, schema_editor):
    ServiceRecord = apps.get_model("services", "ServiceRecord")
    Registration = apps.get_model("people", "Registration")
    for record in ServiceRecord.objects.filter(registration__isnull=True).iterator():
        stay = (
            Registration.objects.filter(
                person_id=record.person_id,
                kind="inflow",
                residence_id__startswith=record.unit_id,
                arrival_date__lte=record.given_on,
            )
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=record.given_on))
            .order_by("-arrival_date", "-pk")
            .first()
        )
        if stay is not None:
            ServiceRecord.objects.filter(pk=record.pk).update(registration_id=stay.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_event_contact_recorded"),
        ("services", "0002_seed_free_list_and_deadlines"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicerecord",
            name="registration",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.registration",
            ),
        ),
        migrations.AddIndex(
            model_name="servicerecord",
            index=models.Index(fields=["registration", "given_on"], name="servicerecord_stay_on"),
        ),
        migrations.RunPython(link_stays, migrations.RunPython.noop),
    ]
