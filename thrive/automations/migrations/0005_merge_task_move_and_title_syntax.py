# Joins the move of tasks to their own app with the task titles rewritten in template syntax.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('automations', '0004_task_moved_to_tasks_app'),
        ('automations', '0004_task_titles_in_template_syntax'),
    ]

    operations = [
    ]
