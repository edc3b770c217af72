from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from thrive.core.roles import can_edit, can_manage


def _business_name() -> str:
    from thrive.accounts.queries import business_name

    return business_name()


def thrive(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        # Read only by the pages that show it (one small query then).
        "business_name": SimpleLazyObject(_business_name),
        "can_edit": can_edit(user),
        "can_manage": can_manage(user),
    }
