"""The dashboard's card for named processes that run by themselves.

Analytics composes the dashboard but sits below automations; it asks for this card through
the KPI sources automations registers at start-up (``AutomationsConfig.ready``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from thrive.analytics.dashboard import kpi

from .queries import named_processes


def automation_kpis(
    cur_start: dt.datetime, cur_end: dt.datetime, prev_start: dt.datetime, prev_end: dt.datetime
) -> list[dict[str, Any]]:
    processes = named_processes()
    return [kpi(
        "processes_automated", "Named processes that run by themselves",
        processes["rate"], unit="%",
        formula="Workflows switched on ÷ every workflow written down: each workflow is a "
        "named process of the business (a welcome, a win-back, a follow-up). The other half "
        "of the process automation rate, which counts customer touches.",
        data=f"{processes['automated']} of {processes['total']} named processes are switched on.",
        lists=[{"kind": "processes", "link": "/automations/", "count": processes["total"],
                "automated": processes["automated"], "words": "named processes"}],
    )]  # fmt: skip
