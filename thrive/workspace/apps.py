from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "thrive.workspace"
    label = "workspace"
    verbose_name = "Workspace"
