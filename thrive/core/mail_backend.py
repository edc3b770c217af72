"""The default mailer when the server sets no EMAIL_URL. Each connection Django makes
(``mailers.default``, so every message sent and every campaign batch) becomes the backend
:func:`thrive.core.business.mail_delivery` names at that moment: Django's SMTP backend for
the server the owner keeps on the settings page when it is complete and switched on, else
the built-in default (``fallback``: printed to the console locally, the machine's own mail
server in production).

The real backend itself is handed back (not a wrapper), so code that checks for Django's
SMTP backend (the campaign sender's direct path) sees it; a batch sent over one connection
goes to one place, and the owner's change is seen by the next connection.
"""

from __future__ import annotations

from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

from thrive.core import business


class EmailBackend(BaseEmailBackend):
    def __new__(  # type: ignore[misc]  # returns the chosen backend, not this class
        cls, *, fallback: str = "console:", alias: str | None = None, **kwargs: Any
    ) -> BaseEmailBackend:
        mailer, _source = business.mail_delivery()
        if mailer.get("BACKEND") == business.STORED_MAILER_BACKEND:  # never loop on itself
            mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
        backend_class = import_string(str(mailer["BACKEND"]))
        options = {**dict(mailer.get("OPTIONS") or {}), **kwargs}
        return backend_class(alias=alias, **options)

    def send_messages(self, email_messages: Any) -> int:  # pragma: no cover - never made
        raise NotImplementedError
