"""The moved tables take the regions app's names; rows, keys and the requests' references stay
(the databases carry the foreign keys over on a rename). The content types follow too, so what
refers to them (permissions, the admin's log) keeps pointing at the same models."""

from django.db import migrations

MODELS = ("region", "ruleset")


def move_content_types(apps, schema_editor, source="exchange", target="regions"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = ContentType.objects.db_manager(schema_editor.connection.alias)
    for model in MODELS:
        if not rows.filter(app_label=target, model=model).exists():
            rows.filter(app_label=source, model=model).update(app_label=target)
    ContentType.objects.clear_cache()


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="regions", target="exchange")


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0001_initial'),
        ('exchange', '0007_region_and_ruleset_move_to_regions'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelTable(name='region', table=None),
        migrations.AlterModelTable(name='ruleset', table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
