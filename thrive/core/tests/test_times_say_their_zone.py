"""Every time of day a workspace page shows says its zone: templates format date-times with
``local_time`` (which names the zone), never with a bare ``date`` filter that has hours.

Public pages are left out: booking pages show the visitor's own zone, named on the page."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# A date filter whose format has hours or minutes (H, G, g, h, i, P).
BARE_TIME = re.compile(r"""\|date:["'][^"']*[HGghiP][^"']*["']""")
PUBLIC = ("public", "public_base.html", "emails", "email")


def test_no_workspace_template_shows_a_time_of_day_without_its_zone():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        if any(part in relative for part in PUBLIC):
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            offenders += [f"{relative}:{number}" for _ in BARE_TIME.finditer(line)]
    assert offenders == [], "use |local_time, which names the zone: " + ", ".join(offenders)
