"""Django's {# … #} comments end on the line they start: one spread over two lines is shown
to the reader as text. Every template's comments must close on their own line."""

from __future__ import annotations

from pathlib import Path

import thrive

ROOT = Path(thrive.__file__).parent


def test_no_template_has_a_comment_spread_over_lines():
    unclosed = []
    for template in ROOT.rglob("templates/**/*.html"):
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            opened = line.rfind("{#")
            if opened != -1 and "#}" not in line[opened:]:
                unclosed.append(f"{template.relative_to(ROOT)}:{number}")
    assert unclosed == [], "use {% comment %} for comments over several lines: " + ", ".join(
        unclosed
    )
