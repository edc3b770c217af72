"""Writing email templates; every save is checked by the sandbox first."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from thrive.core.roles import check_actor

from ..models import EmailTemplate
from .sanitize import clean_html

FIELDS = ("name", "subject", "html_body", "text_body")


def save_template(template: EmailTemplate | None, *, actor: Any, **fields: Any) -> EmailTemplate:
    """Create (``template`` None) or change a template. The HTML part is sanitised first
    (see :mod:`.sanitize`). Raises ValidationError naming each problem with its line:
    syntax errors, forbidden tags, unknown merge fields."""
    check_actor(actor)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    if "html_body" in fields:
        # Stored clean, whichever editor wrote it: no script reaches a mailbox or a preview.
        fields["html_body"] = clean_html(fields["html_body"] or "")
    target = template or EmailTemplate(created_by=actor)
    for name, value in fields.items():
        setattr(target, name, (value or "").strip() if name in {"name", "subject"} else value or "")
    target.full_clean()
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise ValidationError({"name": "A template with this name already exists."}) from exc
    return target
