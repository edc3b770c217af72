from typing import Any

from django.conf import settings
from django.http import HttpRequest

from thrive.core.roles import can_edit, can_manage


def thrive(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "business_name": settings.THRIVE_BUSINESS_NAME,
        "can_edit": can_edit(user),
        "can_manage": can_manage(user),
    }
