"""``python -m thrive.insights.report ORDERS.csv`` runs the report command."""

import sys

from thrive.insights.report.cli import main

sys.exit(main())
