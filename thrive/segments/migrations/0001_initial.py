"""Segments moved here from contacts: the table stays where it is (``contacts_segment``),
only Django's idea of which app owns it changes."""

import django.db.models.deletion
import django.db.models.functions.text
import thrive.segments.models
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor):
    """Keep permissions and admin history attached: the segment's content type changes app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="segments", model="segment").exists():
        ContentType.objects.filter(app_label="contacts", model="segment").update(
            app_label="segments"
        )


def _restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="contacts", model="segment").exists():
        ContentType.objects.filter(app_label="segments", model="segment").update(
            app_label="contacts"
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contacts', '0004_fk_indexes_covered_by_composites'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Segment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('name', models.CharField(max_length=120)),
                        ('description', models.TextField(blank=True)),
                        ('rules', models.JSONField(default=thrive.segments.models.empty_rules, help_text='See thrive.segments.rules for the format.')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'contacts_segment',
                        'ordering': ['name'],
                        'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='segment_name_unique_ci', violation_error_message='A segment with this name already exists.')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_move_content_type, _restore_content_type),
    ]
