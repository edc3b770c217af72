"""`thrive`: the one front door.

thrive demo [--people N] [--seed S]   build the demo business
thrive serve [--port 8000]            web server and background worker together
thrive worker                          a background worker (run several on PostgreSQL)
thrive report ORDERS.csv               offline growth report, no server or database
thrive import FILE --kind people       import a CSV or Excel file (see docs/import.md)
thrive backup OUT.zip                  export the whole business into one archive
thrive restore IN.zip                  restore an archive into an empty install
thrive mail-in [--port 2525]           receive email into the shared inbox (LMTP)
thrive <django command>                anything manage.py does (migrate, createsuperuser…)
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    command = argv[1] if len(argv) > 1 else "help"
    if command == "report":
        # The offline report needs no database or settings at all.
        from thrive.insights.report.cli import main as report_main

        return report_main(argv[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    from django.core.management import execute_from_command_line

    if command in {"help", "--help", "-h"} and len(argv) <= 2:
        print(__doc__)
        argv = [argv[0], "help"]
    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
