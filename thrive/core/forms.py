"""Forms of the pages core serves (sign-in and password reset), and putting a service's
errors on the form that called it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.template import loader

from .transactional_email import build_message, send_after_commit


class TransactionalPasswordResetForm(PasswordResetForm):
    """Django's reset form, its email sent like every other transactional one: the
    business as sender, text and HTML parts, marked auto-generated, after commit."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = loader.render_to_string(subject_template_name, context)
        text = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        send_after_commit(
            build_message(to=to_email, subject=subject, text=text, html=html),
            what="password reset",
        )


def add_service_errors(
    form: Any,
    exc: ValidationError,
    *,
    rename: Mapping[str, str] | Callable[[str], str] | None = None,
    lines: Any = None,
) -> None:
    """Put a service's ValidationError on the form that called it.

    An error naming a field goes on that field (``rename`` maps the service's name to the
    form's, e.g. ``ordered_at`` -> ``ordered_on``), an unnamed one or one for a field the
    form lacks on top. With a ``lines`` formset, ``lines[2].unit_price`` goes on the second
    filled-in line's field, or on top as "Line 2: …".
    """
    if not hasattr(exc, "error_dict"):
        for error in exc.messages:
            form.add_error(None, error)
        return
    if rename is None:
        to_form: Callable[[str], str] = str
    elif isinstance(rename, Mapping):
        names = rename
        to_form = lambda field: names.get(field, field)  # noqa: E731
    else:
        to_form = rename
    for field, errors in exc.message_dict.items():
        if field.startswith("lines[") and lines is not None:
            index = int(field[6 : field.index("]")]) - 1
            sub = field.split(".", 1)[1] if "." in field else None
            filled = [f for f in lines.forms if f.has_changed()]
            target = filled[index] if index < len(filled) else None
            for error in errors:
                if target is not None and sub in target.fields:
                    target.add_error(sub, error)
                else:
                    form.add_error(None, f"Line {index + 1}: {error}")
            continue
        name = to_form(field)
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
