from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from thrive.accounts.queries import business_name
from thrive.core.roles import can_edit, can_manage


def thrive(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        # Read only by the pages that show it (one small query then).
        "business_name": SimpleLazyObject(business_name),
        "can_edit": can_edit(user),
        "can_manage": can_manage(user),
    }
