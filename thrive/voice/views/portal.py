"""The public portal's session: who is signed in, and the friendly "slow down" page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from thrive.contacts.models import Person
from thrive.core.public_forms import guard, refusal
from thrive.core.ratelimit import Refused
from thrive.core.ratelimit import client_ip as _client_ip

from ..services.ratelimit import Limit

SESSION_KEY = "voice_person_id"


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR only (see thrive.core.ratelimit.client_ip)."""
    return request.META.get("REMOTE_ADDR") or None


def sign_in(request: HttpRequest, person: Person) -> None:
    # A new session key on sign-in, so a session id planted before cannot be reused.
    request.session.cycle_key()
    request.session[SESSION_KEY] = person.pk


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def current_person(request: HttpRequest) -> Person | None:
    person_id = request.session.get(SESSION_KEY)
    if not isinstance(person_id, int):
        return None
    return Person.objects.filter(pk=person_id).first()


def too_many(request: HttpRequest, exc: Refused) -> HttpResponse:
    """The friendly refusal (429 over a limit, 400 for a filled honeypot)."""
    return refusal(request, exc)


def limit(request: HttpRequest, *extra: tuple[str, Limit]) -> None:
    """Guard a public POST: the per-IP limit, any ``extra`` limits and the honeypot.
    Raises Refused."""
    from ..services.ratelimit import POST_PER_IP

    guard(request, (f"ip:{_client_ip(request)}:post", POST_PER_IP), *extra)
