# Issue 16.4: tokens revoked for good (revoked_at), tokens and sessions bound to the user's
# credential generation. Existing tokens and users start at generation 0, so nothing that works
# today stops at the upgrade; a token revoked today keeps its revocation.

from django.db import migrations, models


def keep_revocations(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(revoked=True, revoked_at__isnull=True):
        token.revoked_at = token.last_used_at or token.created_at
        token.revoked_reason = "revoked"
        token.save(update_fields=["revoked_at", "revoked_reason"])


def restore_flags(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(revoked_at__isnull=False).update(revoked=True)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_export_identities'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='generation',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='revoked_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='revoked'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='revoked_reason',
            field=models.CharField(blank=True, max_length=100, verbose_name='why revoked'),
        ),
        migrations.AddField(
            model_name='user',
            name='credential_generation',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(keep_revocations, restore_flags),
        migrations.RemoveField(
            model_name='apitoken',
            name='revoked',
        ),
    ]
