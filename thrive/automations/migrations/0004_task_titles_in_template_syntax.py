"""Task titles and notifications move from ``{first_name}``/``{name}`` to the email
templates' sandboxed syntax, so people learn one way to write a merge field."""

from django.db import migrations

KEYS = {"create_task": "title", "notify": "message"}
FORWARD = {
    "{first_name}": '{{ person.first_name|default:"them" }}',
    "{name}": "{{ person.full_name|default:person.email }}",
}


def _convert(apps, replacements):
    Step = apps.get_model("automations", "Step")
    for step in Step.objects.filter(kind__in=list(KEYS)).only("pk", "kind", "config"):
        key = KEYS[step.kind]
        text = (step.config or {}).get(key)
        if not isinstance(text, str):
            continue
        new = text
        for old, replacement in replacements.items():
            new = new.replace(old, replacement)
        if new != text:
            step.config = {**step.config, key: new}
            step.save(update_fields=["config"])


def forward(apps, schema_editor):
    _convert(apps, FORWARD)


def backward(apps, schema_editor):
    _convert(apps, {new: old for old, new in FORWARD.items()})


class Migration(migrations.Migration):
    dependencies = [("automations", "0003_survey_and_sequence_steps")]

    operations = [migrations.RunPython(forward, backward)]
