"""A template's subject as an owner reads it: rendered for a sample person whose every
field is its own label, e.g. "Welcome to Kettle & Crow, First name"."""

from __future__ import annotations

import re
from typing import Any

from .merge_data import sample_context
from .sandbox import TemplateProblem, render_line

_TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def readable_subject(subject: str, data: dict[str, Any] | None = None) -> str:
    """``subject`` rendered with sample data; with the template tags removed if it does
    not render (a template edited outside the app). Never shows raw tags."""
    try:
        return render_line(subject, data if data is not None else sample_context())
    except TemplateProblem:
        return " ".join(_TAGS.sub("", subject).split())
