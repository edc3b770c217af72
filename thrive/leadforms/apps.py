from django.apps import AppConfig


class LeadformsConfig(AppConfig):
    name = "thrive.leadforms"
    verbose_name = "Lead-capture forms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Automations sits below this app and may not import it: the workflow editor's
        # "form submitted" trigger learns the forms to offer from this registration.
        from thrive.automations.models import TriggerKind
        from thrive.automations.trigger_options import register_trigger_options

        from .queries import form_choices

        register_trigger_options(
            TriggerKind.FORM_SUBMITTED, "form", options=form_choices, anything="Any form",
            noun="form",
        )  # fmt: skip
