"""The events that cannot wait for tomorrow's digest, each an email to the associate it
concerns (see :func:`thrive.digests.services.send_urgent` for opt-outs and once-only):

* a new detractor (NPS 0–6) → the survey's owner;
* a new, moved or cancelled booking → the associate booked: the bookings app sends that
  notice itself and asks :mod:`thrive.core.associate_notices` first (registered here);
* a lead-capture form's answer → the associate the form names to notify (the form makes
  their task; this is the email beside it), once per answer;
* a form sent by a likely client (a form submission from someone whose lead score is at
  least the hot-lead mark) → the business's owners, except one already emailed about
  that answer as the form's associate;
* a workflow's "notify" step → the associate it names (registered with the engine).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save

from thrive.accounts.models import Role
from thrive.contacts.models import Activity, ActivityKind
from thrive.core import associate_notices
from thrive.leadforms.models import Submission
from thrive.prospects.models import LeadScore
from thrive.voice.models import SurveyResponse

from .contents import HOT_LEAD
from .emails import unsubscribe_url
from .models import UrgentEmail, UrgentKind
from .services import send_urgent, settings_for

DISPATCH_PREFIX = "thrive.digests.urgent"


def _name(person: Any) -> str:
    return str(person.full_name or person.email or f"person {person.pk}")


def detractor_answered(sender: Any, instance: SurveyResponse, created: bool, **_: Any) -> None:
    if not created or instance.score > 6:
        return
    survey, person = instance.survey, instance.person
    lines = [
        f"{_name(person)} scored {instance.score} out of 10 in “{survey.name}”.",
        "A call within 48 hours turns many detractors around: listen, fix what can be fixed.",
    ]
    if instance.comment:
        lines.append(f"They wrote: “{instance.comment}”")
    send_urgent(
        survey.owner, kind=UrgentKind.DETRACTOR, key=f"detractor:{instance.pk}",
        subject=f"Detractor: {_name(person)} scored {instance.score}",
        lines=lines, path=f"/people/{person.pk}/",
    )  # fmt: skip


def _lead_form_key(submission_id: Any) -> str:
    return f"leadform:{submission_id}"


def lead_form_sent(sender: Any, instance: Submission, created: bool, **_: Any) -> None:
    """A form's answer: email the associate the form names, beside the task it gives them."""
    form = instance.form
    if not created or form.notify_id is None:
        return
    person = instance.person
    lines = [f"{_name(person)} sent the form “{form.name}”."]
    lines += [f"{label}: {value}" for label, value in instance.values.items()]
    score = LeadScore.objects.filter(person_id=person.pk).first()
    if score is not None and score.probability >= HOT_LEAD:
        lines.append(f"Their lead score is {score.probability:.0%}: a likely client.")
    lines.append("It is on your task list too; answer while it is fresh.")
    send_urgent(
        form.notify, kind=UrgentKind.LEAD_FORM, key=_lead_form_key(instance.pk),
        subject=f"New lead from “{form.name}”: {_name(person)}",
        lines=lines, path=f"/people/{person.pk}/",
    )  # fmt: skip


def _emailed_as_the_forms_associate(activity: Activity, associate: Any) -> bool:
    submission = (activity.data or {}).get("submission")
    if submission is None or not str(activity.ref).startswith("leadform:"):
        return False
    key = f"{_lead_form_key(submission)}:to:{associate.pk}"
    return UrgentEmail.objects.filter(key=key).exists()


def form_from_likely_client(sender: Any, instance: Activity, created: bool, **_: Any) -> None:
    if not created or instance.kind != ActivityKind.FORM_SUBMISSION:
        return
    score = LeadScore.objects.filter(person_id=instance.person_id).first()
    if score is None or score.probability < HOT_LEAD:
        return
    person = instance.person
    lines = [
        f"{_name(person)} sent a form: “{instance.subject or 'a form'}”.",
        f"Their lead score is {score.probability:.0%}: a likely client. Answer while it is fresh.",
    ]
    owners = get_user_model().objects.filter(role=Role.OWNER, is_active=True)
    for owner in owners:
        if _emailed_as_the_forms_associate(instance, owner):
            continue  # one email per answer: theirs already said who sent it
        send_urgent(
            owner, kind=UrgentKind.IDEAL_FORM, key=f"form:{instance.pk}",
            subject=f"A likely client sent a form: {_name(person)}",
            lines=lines, path=f"/people/{person.pk}/",
        )  # fmt: skip


def workflow_notified(task: Any, workflow_name: str) -> None:
    """The engine's "notify" step made ``task``: email its associate too."""
    person = task.person
    lines = [f"The workflow “{workflow_name}” asks you: {task.title}"]
    if task.reason:
        lines.append(f"Why: {task.reason}")
    send_urgent(
        task.assignee, kind=UrgentKind.WORKFLOW, key=f"notify-task:{task.pk}",
        subject=task.title[:200],
        lines=lines, path=f"/people/{person.pk}/" if person is not None else "/tasks/",
    )  # fmt: skip


def wants(associate: Any, kind: str) -> bool:
    return settings_for(associate).wants(kind)


def footer(associate: Any, kind: str) -> str:
    return f"\n--\nSwitch these emails off: {unsubscribe_url(associate, kind)}\n"


def connect() -> None:
    associate_notices.register(wants=wants, footer=footer)
    post_save.connect(
        detractor_answered, sender=SurveyResponse, dispatch_uid=f"{DISPATCH_PREFIX}.detractor"
    )
    post_save.connect(
        lead_form_sent, sender=Submission, dispatch_uid=f"{DISPATCH_PREFIX}.lead_form"
    )
    post_save.connect(
        form_from_likely_client, sender=Activity, dispatch_uid=f"{DISPATCH_PREFIX}.form"
    )
