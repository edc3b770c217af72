"""The owner's getting-started checklist on the dashboard: each item ticks itself from
the real state of the install (nothing is ticked by hand; the owner may only dismiss the
whole list). Reads only; it lives here, at the top, because it looks across apps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from thrive.accounts.models import Associate, Business
from thrive.automations.models import Workflow, WorkflowStatus
from thrive.contacts.models import Person
from thrive.core import business
from thrive.core.roles import can_manage
from thrive.imports.models import ImportJob, JobStatus


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    url: str
    how: str


def steps() -> list[Step]:
    chosen = {business.SERVER, business.STORED}
    settings_url = reverse("business_settings")
    basics = all(
        found.source in chosen
        for found in (
            business.name_setting(),
            business.time_zone_setting(),
            business.currency_setting(),
        )
    )
    imported = (
        ImportJob.objects.filter(status=JobStatus.DONE, dry_run=False).exists()
        or Person.objects.filter(associate_account__isnull=True).exists()
    )
    colleague = Associate.objects.filter(is_active=True).count() >= 2
    switched_on = [WorkflowStatus.ACTIVE, WorkflowStatus.PAUSED]  # paused: it was on once
    workflow = Workflow.objects.filter(status__in=switched_on).exists()
    return [
        Step("basics", "Name the business and set its time zone and currency", basics,
             settings_url, "On Settings."),
        Step("sender", "Set who emails come from",
             business.sender_address_setting().source in chosen, settings_url,
             "A sender address people can reply to, on Settings."),
        Step("public_url", "Set the public address for links in emails",
             business.public_url_setting().source in chosen, settings_url,
             "The https:// address people reach Thrive at, on Settings."),
        Step("contacts", "Import your contacts", imported, reverse("imports"),
             "A CSV of people from your old tool or spreadsheet."),
        Step("email", "Connect email", business.mail_is_connected(),
             reverse("business_settings") + "#email-delivery",
             "Your mail provider's SMTP server, under Email delivery on Settings; until then "
             "email is only printed."),
        Step("colleague", "Invite a colleague",
             colleague, reverse("team"),
             "Invite them by email with a role, on Team."),
        Step("workflow", "Switch on a first workflow",
             workflow,
             reverse("workflows"), "Start from a ready-made workflow in Automations."),
    ]  # fmt: skip


def checklist_for(user: Any) -> dict[str, Any] | None:
    """The checklist for an owner, or None: not an owner, dismissed, or all done."""
    if not can_manage(user):
        return None
    row = Business.objects.order_by("pk").values("onboarding_dismissed_at").first()
    if row and row["onboarding_dismissed_at"] is not None:
        return None
    items = steps()
    done = sum(step.done for step in items)
    if done == len(items):
        return None
    return {"steps": items, "done": done, "total": len(items)}
