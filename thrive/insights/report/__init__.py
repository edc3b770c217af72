"""The offline growth report: ``thrive report ORDERS.csv`` -> one self-contained HTML file.

Pipeline: :mod:`thrive.insights.orders_csv` reads and validates the export,
:mod:`.build` computes every section into frozen dataclasses, :mod:`.render` writes HTML
with inline SVG charts from :mod:`.charts`, and :mod:`.cli` is the command.
"""

from thrive.insights.report.build import build_report
from thrive.insights.report.render import render_html

__all__ = ["build_report", "render_html"]
