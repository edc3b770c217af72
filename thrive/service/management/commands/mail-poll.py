"""`thrive mail-poll`: fetch new mail from the IMAP mailboxes once (the worker does it
every minute by itself)."""

from typing import Any

from django.core.management.base import BaseCommand

from thrive.service.imap import poll_all


class Command(BaseCommand):
    help = "Fetch new messages from every active IMAP mailbox into the shared inbox."

    def handle(self, *args: Any, **options: Any) -> None:
        for box, result in poll_all().items():
            self.stdout.write(f"{box}: {result}")
