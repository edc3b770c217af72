"""``python -m thrive.insights.report ORDERS.csv`` runs the report command."""

import sys

from thrive.insights.report.cli import main

# Guarded so that tools which import every module (the no-Django check) don't run it.
if __name__ == "__main__":
    sys.exit(main())
