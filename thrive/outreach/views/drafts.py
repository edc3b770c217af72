"""A draft for an associate: review, edit, send or dismiss."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from thrive.core.roles import role_required

from ..forms import DraftForm
from ..models import Draft, DraftStatus
from ..reports.explain import explain
from ..services import dismiss_draft, send_draft


@require_http_methods(["GET", "POST"])
@role_required("edit", writes_only=True)
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(
        Draft.objects.select_related("person", "associate", "delivery"), pk=pk
    )
    form = DraftForm(request.POST or None, initial={"subject": draft.subject, "body": draft.body})
    if request.method == "POST":
        if request.POST.get("action") == "dismiss":
            dismiss_draft(draft, actor=request.user)
            messages.success(request, "Draft dismissed.")
            return redirect("person", draft.person_id)
        if form.is_valid():
            try:
                send_draft(draft, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Sent.")
                return redirect("person", draft.person_id)
    return render(
        request,
        "outreach/draft_detail.html",
        {
            "draft": draft,
            "form": form,
            "pending": draft.status == DraftStatus.PENDING,
            "explanation": explain(draft.delivery) if draft.delivery else None,
        },
    )
