"""The feeds tables take their app's name (imports_lead -> feeds_lead, ...), rows and keys kept;
their content types follow, so that nothing that names them (permissions, the admin log) is
left pointing at imports."""

from django.db import migrations

MODELS = ("feedreport", "feedrecord", "lead")


def content_types_to_feeds(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(
        ContentType.objects.filter(app_label="feeds", model__in=MODELS).values_list(
            "model", flat=True
        )
    )
    ContentType.objects.filter(app_label="imports", model__in=set(MODELS) - taken).update(
        app_label="feeds"
    )


def content_types_to_imports(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="feeds", model__in=MODELS).update(app_label="imports")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('feeds', '0001_initial'),
        ('imports', '0005_feeds_move_to_feeds_app'),
    ]

    operations = [
        migrations.AlterModelTable(name='feedreport', table=None),
        migrations.AlterModelTable(name='feedrecord', table=None),
        migrations.AlterModelTable(name='lead', table=None),
        migrations.RunPython(content_types_to_feeds, content_types_to_imports),
    ]
