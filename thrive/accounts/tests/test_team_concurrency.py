"""Two owners inviting the same email at the same moment make one associate, and the other
owner is told why, rather than meeting a database error."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from thrive.accounts import team
from thrive.accounts.models import Associate
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory


@pytest.mark.django_db(transaction=True)
def test_two_invitations_of_one_email_at_once_make_one_associate(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent connections need PostgreSQL; SQLite serializes writers anyway.")
    owners = [AssociateFactory(role=Role.OWNER) for _ in range(2)]
    slow = team._username_for

    def while_the_other_checks(email: str) -> str:
        # Both invitations are past their "already on the team?" check here unless the
        # first one holds the second back until it commits.
        time.sleep(0.5)
        return slow(email)

    monkeypatch.setattr(team, "_username_for", while_the_other_checks)
    monkeypatch.setattr(team, "_send_invitation", lambda **_: None)
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def invite(owner) -> None:
        start.wait()
        try:
            outcomes.append(team.invite_associate(
                actor=owner, first_name="Ann", last_name="Lee",
                email="ann@kettle.example", role="member",
            ))  # fmt: skip
        except BaseException as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=invite, args=(owner,)) for owner in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Associate.objects.filter(email__iexact="ann@kettle.example").count() == 1
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], ValidationError), outcomes
    assert "already belongs to someone on the team" in str(refused[0])
