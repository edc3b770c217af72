"""Reads for the forms pages: the list with its numbers, one form's answers."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import LeadForm, Submission


def forms_with_numbers() -> QuerySet[LeadForm]:
    """Every form with its answers, the new people it brought and the confirmations.

    Conversion here is of answers, not page views: counting views would write a row on
    every anonymous GET (a write the project keeps off GET, and a cheap way to fill the
    database), so the list shows what an answer became instead.
    """
    return (
        LeadForm.objects.select_related("sequence")
        .annotate(
            answers=Count("submissions"),
            new_people=Count("submissions", filter=Q(submissions__new_person=True)),
            asked_to_confirm=Count(
                "submissions",
                filter=Q(submissions__awaiting_confirmation=True)
                | Q(submissions__confirmed_at__isnull=False),
            ),
            confirmed=Count("submissions", filter=Q(submissions__confirmed_at__isnull=False)),
            enrolled=Count("submissions", filter=Q(submissions__enrolled=True)),
        )
        .order_by("name")
    )


def share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def form_numbers(form: LeadForm) -> dict[str, Any]:
    found = forms_with_numbers().get(pk=form.pk)
    return {
        "answers": found.answers,  # type: ignore[attr-defined]
        "new_people": found.new_people,  # type: ignore[attr-defined]
        "new_share": share(found.new_people, found.answers),  # type: ignore[attr-defined]
        "confirmed": found.confirmed,  # type: ignore[attr-defined]
        "asked_to_confirm": found.asked_to_confirm,  # type: ignore[attr-defined]
        "confirm_share": share(found.confirmed, found.asked_to_confirm),  # type: ignore[attr-defined]
        "enrolled": found.enrolled,  # type: ignore[attr-defined]
    }


def recent_submissions(form: LeadForm, limit: int = 100) -> QuerySet[Submission]:
    return form.submissions.select_related("person").order_by("-submitted_at", "-id")[:limit]


def form_choices() -> list[tuple[str, str]]:
    """Every form as (slug, name): what a workflow's "form submitted" trigger picks from
    (registered with automations in this app's ready)."""
    return list(LeadForm.objects.order_by("name").values_list("slug", "name"))
