"""The default mailer when the server sets no EMAIL_URL: each connection goes where
:func:`thrive.core.business.mail_delivery` says at that moment: the SMTP server the owner
keeps on the settings page when it is complete and switched on, else the built-in default
(``fallback``: printed to the console locally, the machine's mail server in production).

Decided when a connection opens (or per send without one), so a batch sent over one open
connection goes to one place, and the owner's change is seen by the next send.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

from thrive.core import business


class EmailBackend(BaseEmailBackend):
    def __init__(self, *, fallback: str = "console:", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fallback = fallback
        self._inner: BaseEmailBackend | None = None

    def _resolve(self) -> BaseEmailBackend:
        mailer, _source = business.mail_delivery()
        if mailer.get("BACKEND") == business.STORED_MAILER_BACKEND:  # never loop on itself
            mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
        backend_class = import_string(str(mailer["BACKEND"]))
        return backend_class(alias=self.alias, **dict(mailer.get("OPTIONS") or {}))

    def open(self) -> bool | None:
        if self._inner is None:
            self._inner = self._resolve()
        return self._inner.open()

    def close(self) -> None:
        inner, self._inner = self._inner, None
        if inner is not None:
            inner.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if self._inner is not None:
            return int(self._inner.send_messages(email_messages) or 0)
        # No open connection: this send alone (the inner backend opens and closes).
        return int(self._resolve().send_messages(email_messages) or 0)
