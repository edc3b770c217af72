"""Tasks for people moved here from the automation engine: the table stays where it is
(``automations_task``), only Django's idea of which app owns it changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor):
    """Keep permissions and admin history attached: the task's content type changes app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="tasks", model="task").exists():
        ContentType.objects.filter(app_label="automations", model="task").update(app_label="tasks")


def _restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="automations", model="task").exists():
        ContentType.objects.filter(app_label="tasks", model="task").update(app_label="automations")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('automations', '0003_survey_and_sequence_steps'),
        ('contacts', '0002_segments'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Task',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('title', models.CharField(max_length=200)),
                        ('kind', models.CharField(choices=[('call', 'Call'), ('email', 'Write an email'), ('follow_up', 'Follow up'), ('meeting', 'Meeting'), ('review_draft', 'Review a draft'), ('log_notes', 'Log notes'), ('other', 'Other')], default='follow_up', max_length=16)),
                        ('due_at', models.DateTimeField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('dismissed', 'Dismissed')], default='open', max_length=12)),
                        ('completed_at', models.DateTimeField(blank=True, null=True)),
                        ('reason', models.CharField(blank=True, help_text='Why this task exists, in plain words.', max_length=255)),
                        ('notes', models.TextField(blank=True)),
                        ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tasks', to=settings.AUTH_USER_MODEL)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='contacts.person')),
                    ],
                    options={
                        'db_table': 'automations_task',
                        'ordering': ['status', 'due_at', 'id'],
                        'indexes': [models.Index(fields=['assignee', 'status', 'due_at'], name='task_inbox_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('completed_at__isnull', True), ('status', 'open')), models.Q(models.Q(('status', 'open'), _negated=True), ('completed_at__isnull', False)), _connector='OR'), name='task_completed_at_matches_status', violation_error_message='Finished tasks need a completion time, open ones none.')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_move_content_type, _restore_content_type),
    ]
