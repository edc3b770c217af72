"""Tasks for people now belong to the tasks app, which keeps this table (automations_task)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('automations', '0003_survey_and_sequence_steps'),
        ('tasks', '0001_initial'),
        ('outreach', '0003_draft_task_in_tasks_app'),
        ('bookings', '0002_notes_task_in_tasks_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Task')],
            database_operations=[],
        ),
    ]
