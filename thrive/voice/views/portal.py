"""The public portal's session: who is signed in, and the friendly "slow down" page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from thrive.contacts.models import Person

from ..services.ratelimit import Limit, RateLimited, check_all

SESSION_KEY = "voice_person_id"


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy
    # rewrites it, and trusting it would let anyone dodge the per-IP limits.
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


def too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    minutes = max(1, round(exc.retry_after / 60))
    response = render(
        request,
        "voice/public/message.html",
        {
            "title": "Please slow down",
            "message": f"That was a lot of requests in a short time. Try again in about "
            f"{minutes} minute{'s' if minutes != 1 else ''}.",
        },
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def limit(request: HttpRequest, *extra: tuple[str, Limit]) -> None:
    """Count a public POST against the per-IP limit and any ``extra`` limits."""
    from ..services.ratelimit import POST_PER_IP

    check_all([(f"ip:{client_ip(request)}:post", POST_PER_IP), *extra])
