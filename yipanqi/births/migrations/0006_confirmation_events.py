# Issue 12.6: the birth timeline records each home township's confirmation (R-BIRTH-2 step 2).
# Confirmations answered before this change get their event from the answered request: who
# answered, when, from which unit. Nothing is deleted; running it again adds nothing.

import zoneinfo

from django.db import migrations, models

CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")


def backfill(apps, schema_editor):
    BirthEvent = apps.get_model("births", "BirthEvent")
    Request = apps.get_model("exchange", "Request")
    asked = BirthEvent.objects.filter(type="asked").prefetch_related("requests")
    for event in asked.iterator(chunk_size=500):
        for request in event.requests.all():
            if request.type != "birth_confirmation" or request.answered_at is None:
                continue
            if BirthEvent.objects.filter(
                registration_id=event.registration_id, type="confirmed", requests=request
            ).exists():
                continue
            confirmed = BirthEvent.objects.create(
                registration_id=event.registration_id,
                at=request.answered_at,
                type="confirmed",
                actor_id=request.answered_by_id,
                unit_id=request.receiver_id,
                data={
                    "late": request.answered_at.astimezone(CHINA).date() > request.due_on,
                    "answer": (request.answer or "")[:300],
                },
            )
            confirmed.requests.add(Request.objects.get(pk=request.pk))


class Migration(migrations.Migration):

    dependencies = [
        ('births', '0005_one_report_per_birth'),
        ('exchange', '0004_ruleset_certificate_long_term_alter_request_type'),
    ]

    operations = [
        migrations.AlterField(
            model_name='birthevent',
            name='type',
            field=models.CharField(choices=[('received', 'Application received'), ('asked', 'Home townships asked to confirm'), ('confirmed', 'Home township confirmed'), ('forwarded', "Forwarded to the township with the village's opinion"), ('returned', 'Returned for missing documents'), ('resubmitted', 'Resubmitted with the missing documents'), ('issued', 'Registration issued'), ('notified', 'Other side notified')], max_length=16),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
