"""Forms of the pages core serves (sign-in and password reset)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import PasswordResetForm
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
