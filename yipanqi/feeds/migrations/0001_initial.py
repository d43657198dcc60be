"""FeedReport, FeedRecord and Lead move from imports to feeds (issue item 6), data kept.

The tables stay as they are: this migration only tells the state that feeds owns them (under
their old names); imports 0005 takes them out of imports' state, and feeds 0002 renames them.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('divisions', '0001_initial'),
        ('imports', '0004_merge_20261203_0156'),
        ('people', '0006_recently_updated_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='FeedReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('feed_type', models.CharField(choices=[('temporary_residence', 'Temporary residence permits'), ('marriage', 'Marriage registrations'), ('hospital_birth', 'Births in hospitals'), ('death', 'Deaths'), ('move', 'Moves of residence'), ('employment', 'Employment and social insurance'), ('rental', 'Rented homes'), ('business', 'Businesses registered')], max_length=24, verbose_name='feed')),
                        ('department', models.CharField(choices=[('public_security', 'Public security'), ('civil_affairs', 'Civil affairs'), ('health', 'Health'), ('human_resources', 'Human resources and social security'), ('housing', 'Housing and urban-rural development'), ('market_regulation', 'Market regulation')], max_length=24, verbose_name='department')),
                        ('period', models.CharField(max_length=7, verbose_name='month')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('due_fallback', models.BooleanField(default=False)),
                        ('received_at', models.DateTimeField(verbose_name='received at')),
                        ('on_time', models.BooleanField(verbose_name='on time')),
                        ('zero_report', models.BooleanField(default=False, verbose_name='zero report')),
                        ('records', models.PositiveIntegerField(default=0)),
                        ('matched', models.PositiveIntegerField(default=0)),
                        ('leads', models.PositiveIntegerField(default=0)),
                        ('job', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='imports.importjob')),
                        ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.division', verbose_name='unit')),
                    ],
                    options={
                        'ordering': ['-period', 'feed_type', 'unit'],
                        'db_table': 'imports_feedreport',
                    },
                ),
                migrations.CreateModel(
                    name='FeedRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('row_number', models.PositiveIntegerField()),
                        ('id_number_index', models.CharField(db_index=True, max_length=64)),
                        ('id_number_masked', models.CharField(max_length=18)),
                        ('name', models.CharField(max_length=50)),
                        ('event_date', models.DateField(blank=True, null=True)),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('outcome', models.CharField(choices=[('registered', 'Already registered'), ('lead', 'New lead for the village'), ('marital_updated', 'Marital status updated'), ('marital_same', 'Marital status already recorded'), ('birth_reported', 'Birth report recorded'), ('not_registered', 'Not in the registry'), ('closed_deceased', 'Registration closed: deceased'), ('nothing_open', 'No open registration'), ('lead_updated', 'Open lead moved to the new place')], max_length=20)),
                        ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.person')),
                        ('place', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.division')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='items', to='feeds.feedreport')),
                    ],
                    options={
                        'ordering': ['report', 'row_number'],
                        'db_table': 'imports_feedrecord',
                    },
                ),
                migrations.CreateModel(
                    name='Lead',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('unregistered', 'Lives here without an inflow registration'), ('birth', 'Birth in hospital to be recorded'), ('moved', 'Moved here: the registration to be updated'), ('employed', 'Works here without an inflow registration'), ('renting', 'Rents a home here without an inflow registration'), ('trading', 'Runs a business here without an inflow registration')], max_length=16, verbose_name='kind')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('registered', 'Registered'), ('dismissed', 'Dismissed')], default='open', max_length=12, verbose_name='status')),
                        ('name', models.CharField(max_length=50, verbose_name='name')),
                        ('id_number_cipher', models.BinaryField()),
                        ('id_number_index', models.CharField(max_length=64)),
                        ('id_number_masked', models.CharField(max_length=18)),
                        ('seen_on', models.DateField(blank=True, null=True, verbose_name='seen on')),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='leads', to='feeds.feedrecord')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.division', verbose_name='unit')),
                    ],
                    options={
                        'ordering': ['-created_at', '-id'],
                        'db_table': 'imports_lead',
                    },
                ),
                migrations.AddConstraint(
                    model_name='feedreport',
                    constraint=models.UniqueConstraint(fields=('feed_type', 'unit', 'period'), name='feedreport_one_per_month'),
                ),
                migrations.AddConstraint(
                    model_name='feedrecord',
                    constraint=models.UniqueConstraint(fields=('report', 'id_number_index', 'event_date'), name='feedrecord_natural_key'),
                ),
                migrations.AddConstraint(
                    model_name='lead',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('kind', 'unit', 'id_number_index'), name='lead_one_open_per_person'),
                ),
            ],
        ),
    ]
