"""The events that cannot wait for tomorrow's digest, each an email to the associate it
concerns (see :func:`thrive.digests.services.send_urgent` for opt-outs and once-only):

* a new detractor (NPS 0–6) → the survey's owner;
* a new booking by a visitor on the booking page → the associate booked;
* a form sent by a likely client (a form submission from someone whose lead score is at
  least the hot-lead mark) → the business's owners;
* a workflow's "notify" step → the associate it names (registered with the engine).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save

from thrive.accounts.models import Role
from thrive.bookings.models import Booking, BookingStatus
from thrive.contacts.models import Activity, ActivityKind
from thrive.core import business
from thrive.prospects.models import LeadScore
from thrive.voice.models import SurveyResponse

from .contents import HOT_LEAD
from .models import UrgentKind
from .services import send_urgent

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


def booking_made(sender: Any, instance: Booking, created: bool, **_: Any) -> None:
    if not created or instance.status != BookingStatus.BOOKED:
        return
    if not instance.ip_address:
        # Booked by a visitor on the public page carries their address; a booking staff
        # made (or the demo's history) is one the associate knows about already.
        return
    associate = instance.associate
    zone = business.associate_zone_name(associate)
    start = instance.start_at.astimezone(ZoneInfo(zone))
    moved = " (moved from another time)" if instance.rescheduled_from_id else ""
    lines = [
        f"{_name(instance.person)} booked “{instance.session_type}” with you on "
        f"{start:%A} {start.day} {start:%B, %H:%M} ({zone}){moved}.",
    ]
    if instance.note:
        lines.append(f"What they want to talk about: “{instance.note}”")
    send_urgent(
        associate, kind=UrgentKind.BOOKING, key=f"booking:{instance.pk}",
        subject=f"New booking: {_name(instance.person)}, {start:%a %d %b %H:%M}",
        lines=lines, path=f"/people/{instance.person_id}/",
    )  # fmt: skip


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


def connect() -> None:
    post_save.connect(
        detractor_answered, sender=SurveyResponse, dispatch_uid=f"{DISPATCH_PREFIX}.detractor"
    )
    post_save.connect(booking_made, sender=Booking, dispatch_uid=f"{DISPATCH_PREFIX}.booking")
    post_save.connect(
        form_from_likely_client, sender=Activity, dispatch_uid=f"{DISPATCH_PREFIX}.form"
    )
