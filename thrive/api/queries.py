"""Reads the API page makes: the tokens an associate may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from thrive.core.roles import can_manage

from .models import ApiToken


def tokens_visible_to(user: Any) -> QuerySet[ApiToken]:
    """Every token for an owner (to revoke any of them); only their own for anyone else."""
    tokens = ApiToken.objects.select_related("associate")
    if not can_manage(user):
        tokens = tokens.filter(associate_id=int(user.pk or 0))
    return tokens
