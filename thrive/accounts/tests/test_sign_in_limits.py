"""Staff sign-in limits failed passwords per account and per client address; the owner
gets in again after the window, and a successful sign-in clears the account's count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import F
from django.test import Client

from thrive.core.models import RateCounter
from thrive.testing.factories import AssociateFactory

pytestmark = pytest.mark.django_db

PASSWORD = "the-Right-roast-42"


@pytest.fixture
def owner_with_password():
    owner = AssociateFactory(username="boss")
    owner.set_password(PASSWORD)
    owner.save()
    return owner


def sign_in(  # type: ignore[no-untyped-def]
    username: str, password: str, *, ip: str = "203.0.113.7", path: str = "/accounts/login/",
    **headers: str,
):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(path, {"username": username, "password": password}, headers=headers)
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def window_passes() -> None:
    """Move every count back by the 15-minute window, as the clock would."""
    RateCounter.objects.update(window_start=F("window_start") - dt.timedelta(minutes=15))


def test_300_wrong_passwords_are_stopped_after_five_with_a_clear_message(owner_with_password):
    codes = [sign_in("boss", f"guess-{n}")[1].status_code for n in range(300)]
    assert codes[:5] == [200] * 5
    assert set(codes[5:]) == {429}
    client, response = sign_in("boss", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    text = response.content.decode()
    assert "Too many attempts; try again in" in text and "minute" in text


def test_the_owner_gets_in_after_the_window(owner_with_password):
    for n in range(6):
        sign_in("boss", f"guess-{n}")
    assert sign_in("boss", PASSWORD)[1].status_code == 429
    window_passes()
    client, response = sign_in("boss", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_a_successful_sign_in_clears_the_accounts_failures(owner_with_password):
    for n in range(4):
        sign_in("boss", f"guess-{n}", ip=f"198.51.100.{n}")
    client, _ = sign_in("boss", PASSWORD)
    assert signed_in(client)
    for n in range(4):
        sign_in("boss", f"again-{n}", ip=f"198.51.100.{n}")
    client, response = sign_in("boss", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_one_address_guessing_many_accounts_is_stopped(owner_with_password):
    for n in range(20):
        sign_in(f"someone-{n}", "guess")
    client, response = sign_in("boss", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    # The owner at another address is not locked out by that address's guesses.
    client, response = sign_in("boss", PASSWORD, ip="192.0.2.55")
    assert signed_in(client)


def test_a_forwarded_for_header_from_the_client_does_not_dodge_the_address_limit(
    owner_with_password,
):
    for n in range(20):
        sign_in(f"someone-{n}", "guess", **{"X-Forwarded-For": f"192.0.2.{n}"})
    _, response = sign_in("boss", PASSWORD, **{"X-Forwarded-For": "192.0.2.200"})
    assert response.status_code == 429


def test_the_admin_sign_in_page_shares_the_limits(owner_with_password):
    owner_with_password.is_staff = True
    owner_with_password.save()
    for n in range(5):
        sign_in("boss", f"guess-{n}", path="/admin/login/")
    client, response = sign_in("boss", PASSWORD, path="/admin/login/")
    assert not signed_in(client)
    assert "Too many attempts; try again in" in response.content.decode()


def test_the_limits_follow_thrive_rate_limits(owner_with_password, settings):
    settings.THRIVE_RATE_LIMITS = {"sign_in_per_account": (2, 60)}
    sign_in("boss", "guess-1")
    sign_in("boss", "guess-2")
    _, response = sign_in("boss", PASSWORD)
    assert response.status_code == 429
    assert re.search(r"try again in [12] minutes?\.", response.content.decode())
