"""Reads about the business and its associates used across apps."""

from __future__ import annotations

from django.conf import settings

from .models import Business


def business_name() -> str:
    """The business's name as the owner keeps it (Records → Business), else the
    ``THRIVE_BUSINESS_NAME`` setting (for an install that has not named itself yet)."""
    return Business.current_name(settings.THRIVE_BUSINESS_NAME)
