"""`thrive mail-in --port 2525`: receive email for the shared inbox over LMTP (or SMTP).

Point the mail server's delivery for the support address at it, e.g. Postfix
``mailbox_transport = lmtp:inet:127.0.0.1:2525``. Every message is stored raw before it
is parsed, and answered 250 only once stored.
"""

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thrive.service.listener import serve_forever


class Command(BaseCommand):
    help = "Receive email into the shared inbox over LMTP (default) or SMTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--smtp", action="store_true", help="Speak SMTP instead of LMTP.")

    def handle(self, *args: Any, **options: Any) -> None:
        protocol = "smtp" if options["smtp"] else "lmtp"
        if options["verbosity"] < 2:
            # aiosmtpd logs every command at INFO; `-v 2` shows the conversation.
            logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.stdout.write(
            f"Receiving mail over {protocol.upper()} on {options['host']}:{options['port']}"
            " (Ctrl+C stops)."
        )
        try:
            serve_forever(options["host"], options["port"], protocol=protocol)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
