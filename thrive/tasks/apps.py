from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "thrive.tasks"
    label = "tasks"
    verbose_name = "Tasks"
