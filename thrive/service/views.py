"""The shared inbox pages at ``inbox/``: list, conversation, settings. Views stay thin:
reads in ``queries``, writes in ``services``; every POST is role-checked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from thrive.core.roles import can_edit, can_manage, role_required

from . import queries, services
from .forms import (
    AutoAnswerForm,
    CannedReplyForm,
    HoursForm,
    MailboxForm,
    NoteForm,
    ReplyForm,
    SlaForm,
    TriageForm,
)
from .hours import current_settings
from .models import Attachment, CannedReply, Conversation, Mailbox, Priority, RawMessage


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


def inbox(request: HttpRequest) -> HttpResponse:
    filters = queries.Filters.from_query(request.GET)
    page = Paginator(queries.inbox(filters, request.user), 50).get_page(request.GET.get("page"))
    return render(request, "service/inbox.html", {
        "page": page, "filters": filters, "status_filters": queries.STATUS_FILTERS,
        "priorities": Priority.choices, "figures": queries.figures(),
        "associates": TriageForm().fields["assignee"].queryset,  # type: ignore[attr-defined]
        "kept_aside": queries.kept_aside(), "can_manage": can_manage(request.user),
    })  # fmt: skip


def _conversation_page(
    request: HttpRequest, conversation: Conversation, *, reply_form: ReplyForm | None = None,
    collision: str = "", status: int = 200,
) -> HttpResponse:  # fmt: skip
    seen = queries.latest_message_id(conversation)
    return render(request, "service/conversation.html", {
        "conversation": conversation, "thread": queries.thread(conversation),
        "reply_form": reply_form or ReplyForm(initial={"seen": seen}),
        "note_form": NoteForm(), "collision": collision,
        "triage_form": TriageForm(initial={
            "status": conversation.status, "priority": conversation.priority,
            "assignee": conversation.assignee_id, "tags": conversation.tags,
        }),
        "canned": [
            (c, services.render_canned(c, conversation, request.user))
            for c in CannedReply.objects.all()
        ],
        "others_drafting": services.others_drafting(conversation, request.user),
        "can_edit": can_edit(request.user),
        "first_breached": conversation.first_response_breached(),
        "resolution_breached": conversation.resolution_breached(),
    }, status=status)  # fmt: skip


def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Conversation.objects.select_related("person", "assignee", "drafting_by"), pk=pk
    )
    return _conversation_page(request, found)


@require_POST
@role_required("edit")
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Conversation.objects.select_related("person"), pk=pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _conversation_page(request, found, reply_form=form, status=400)
    data = form.cleaned_data
    try:
        services.reply(
            found, actor=request.user, text=data["text"], seen_message=data["seen"],
            confirm=data["confirm"], status=data["status"], minutes=data["minutes"],
        )  # fmt: skip
    except services.Collision as exc:
        # Keep what they wrote; a second send confirms.
        again = ReplyForm(initial={**data, "confirm": True})
        return _conversation_page(
            request, found, reply_form=again, collision=exc.messages[0], status=409
        )
    except ValidationError as exc:
        _errors(request, exc)
        return _conversation_page(request, found, reply_form=form, status=400)
    messages.success(request, f"Reply sent to {found.person.email}.")
    return redirect("inbox_conversation", pk=pk)


@require_POST
@role_required("edit")
def note(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Conversation, pk=pk)
    try:
        services.add_note(found, actor=request.user, text=request.POST.get("note", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Note added.")
    return redirect("inbox_conversation", pk=pk)


@require_POST
@role_required("edit")
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Conversation, pk=pk)
    form = TriageForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            messages.error(request, f"{field}: {' '.join(str(e) for e in errs)}")
        return redirect("inbox_conversation", pk=pk)
    data = form.cleaned_data
    try:
        services.update_conversation(
            found, actor=request.user, status=data["status"], priority=data["priority"],
            assignee=data["assignee"], tags=data["tags"],
        )  # fmt: skip
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Conversation updated.")
    return redirect("inbox_conversation", pk=pk)


@require_POST
@role_required("edit")
def drafting(request: HttpRequest, pk: int) -> HttpResponse:
    """Called by the page's script when the reply box opens."""
    found = get_object_or_404(Conversation, pk=pk)
    return JsonResponse({"warning": services.mark_drafting(found, actor=request.user)})


def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A customer's attachment, always as a download: whatever the sender called it, it is
    never rendered on Thrive's own address (no script in an HTML file runs here)."""
    found = get_object_or_404(
        Attachment, pk=attachment_pk, message__conversation_id=pk, content__isnull=False
    )
    response = HttpResponse(bytes(found.content or b""), content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, found.filename or "file")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def raw_message(request: HttpRequest, pk: int) -> HttpResponse:
    raw = get_object_or_404(RawMessage, pk=pk)
    text = bytes(raw.data).decode("utf-8", errors="replace")
    return render(request, "service/raw.html", {
        "raw": raw, "text": text[:200_000], "cut": len(text) > 200_000,
        "can_edit": can_edit(request.user),
    })  # fmt: skip


@require_POST
@role_required("edit")
def refile(request: HttpRequest, pk: int) -> HttpResponse:
    raw = get_object_or_404(RawMessage, pk=pk)
    try:
        message = services.refile(
            raw, actor=request.user, as_person=request.POST.get("as_person") == "1"
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("inbox_raw", pk=pk)
    if message is None:
        raw.refresh_from_db()
        messages.error(request, f"Still not filed: {raw.error}")
        return redirect("inbox_raw", pk=pk)
    messages.success(request, "Filed into the inbox.")
    return redirect("inbox_conversation", pk=message.conversation_id)


def _settings_page(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    current = current_settings()
    targets = {p: services.sla_targets(p) for p in Priority.values}
    return render(request, "service/settings.html", {
        "canned": CannedReply.objects.all(),
        "canned_form": forms.get("canned_form") or CannedReplyForm(),
        "hours_form": forms.get("hours_form") or HoursForm(initial={
            "workdays": sorted(str(d) for d in current.workday_numbers),
            "opens": current.opens, "closes": current.closes,
            "warn_minutes": current.warn_minutes,
        }),
        "sla_form": forms.get("sla_form") or SlaForm(initial_targets=targets),
        "auto_answer_form": AutoAnswerForm(initial={"auto_answer": current.auto_answer}),
        "mailboxes": Mailbox.objects.all(),
        "mailbox_form": forms.get("mailbox_form") or MailboxForm(),
        "can_manage": can_manage(request.user),
    }, status=status)  # fmt: skip


@role_required("manage", writes_only=True)
def settings_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _settings_page(request)
    action = request.POST.get("action", "")
    try:
        if action == "canned":
            form = CannedReplyForm(request.POST)
            if not form.is_valid():
                return _settings_page(request, 400, canned_form=form)
            services.save_canned_reply(actor=request.user, **form.cleaned_data)
            messages.success(request, "Canned reply saved.")
        elif action == "hours":
            hours_form = HoursForm(request.POST)
            if not hours_form.is_valid():
                return _settings_page(request, 400, hours_form=hours_form)
            services.save_hours(actor=request.user, **hours_form.cleaned_data)
            messages.success(request, "Business hours saved.")
        elif action == "sla":
            targets = {p: services.sla_targets(p) for p in Priority.values}
            sla_form = SlaForm(request.POST, initial_targets=targets)
            if not sla_form.is_valid():
                return _settings_page(request, 400, sla_form=sla_form)
            d = sla_form.cleaned_data
            services.save_sla(actor=request.user, targets={
                p: (_minutes(d[f"{p}_first"]), _minutes(d[f"{p}_resolution"]))
                for p in Priority.values
            })  # fmt: skip
            messages.success(request, "SLA targets saved.")
        elif action == "auto_answer":
            form_on = AutoAnswerForm(request.POST)
            form_on.is_valid()  # one checkbox: absent means off
            on = bool(form_on.cleaned_data.get("auto_answer"))
            services.save_auto_answer(actor=request.user, on=on)
            messages.success(request, f"Automatic first answer switched {'on' if on else 'off'}.")
        elif action == "mailbox":
            mailbox_form = MailboxForm(request.POST)
            if not mailbox_form.is_valid():
                return _settings_page(request, 400, mailbox_form=mailbox_form)
            box = services.connect_mailbox(actor=request.user, **mailbox_form.cleaned_data)
            messages.success(request, f"Connected {box}: new mail arrives within a minute.")
        else:
            messages.error(request, "Nothing to save: unknown form.")
    except ValidationError as exc:
        _errors(request, exc)
        return _settings_page(request, 400)
    return redirect("inbox_settings")


def _minutes(value: Decimal) -> int:
    return int(value * 60)


@require_POST
@role_required("manage")
def mailbox_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.disconnect_mailbox(get_object_or_404(Mailbox, pk=pk), actor=request.user)
    messages.success(request, "Mailbox disconnected; mail already filed stays.")
    return redirect(reverse("inbox_settings"))


@require_POST
@role_required("manage")
def canned_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete_canned_reply(get_object_or_404(CannedReply, pk=pk), actor=request.user)
    messages.success(request, "Canned reply deleted.")
    return redirect(reverse("inbox_settings"))
