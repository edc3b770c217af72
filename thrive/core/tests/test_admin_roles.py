"""Every page of the admin ("Records") follows the workspace's roles.

The sweep walks ``admin.site._registry``, so a model registered tomorrow is checked by
the same rules: read-only associates only look; members change the business's data but
not the sensitive records below; owners do everything the model's admin offers.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from thrive.api.models import ApiToken, RateWindow
from thrive.conftest import client_for
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory

# Written out here rather than imported, so the test states the rule on its own.
SENSITIVE = {
    "accounts.associate",
    "accounts.business",
    "auth.group",
    "django_tasks_database.dbtaskresult",
    "api.apitoken",
    "api.idempotencyrecord",
    "api.ratewindow",
    "voice.ratecounter",
    "voice.magiclink",
    "webhooks.webhooksubscription",
    "webhooks.webhookcursor",
    "automations.enginecursor",
    "outreach.pumpschedule",
    "analytics.analyticsrefresh",
}

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
ROLES = [Role.OWNER, Role.MEMBER, Role.READ_ONLY]
MISSING = "987654321"  # delete permission is checked before the admin looks the row up


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _owner_may(model_admin, action: str) -> bool:
    """What the model's own admin offers at all (some records are read-only for all)."""
    owner = AssociateFactory.build(role=Role.OWNER, is_active=True)
    request = type("Request", (), {"user": owner})()
    return getattr(model_admin, f"has_{action}_permission")(request)


def _expected(role: str, model, model_admin, action: str) -> bool:
    if not _owner_may(model_admin, action):
        return False
    if role == Role.OWNER:
        return True
    return role == Role.MEMBER and _label(model) not in SENSITIVE


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=[_label(m) for m, _ in REGISTRY])
def test_every_admin_page_follows_the_role(demo_records, db, role, model, model_admin):
    client = client_for(AssociateFactory(username=f"admin-{role}", role=role))

    assert client.get(_url(model, "changelist")).status_code == 200

    add = client.get(_url(model, "add"))
    if _expected(role, model, model_admin, "add"):
        assert add.status_code == 200, "add should open"
    else:
        assert add.status_code == 403, "add should be refused"

    record = model._default_manager.order_by("pk").first()
    if record is not None:
        assert client.get(_url(model, "change", record.pk)).status_code == 200
        change = client.post(_url(model, "change", record.pk), {})
        if _expected(role, model, model_admin, "change"):
            assert change.status_code in {200, 302}, "change should be offered"
        else:
            assert change.status_code == 403, "change should be refused"

    target = record.pk if record is not None else MISSING
    # The confirmation page: refused outright, or offered (a POST may still stop at
    # records the deletion would take with it).
    delete = client.get(_url(model, "delete", target))
    if _expected(role, model, model_admin, "delete"):
        assert delete.status_code == (200 if record is not None else 302), "delete offered"
    else:
        assert delete.status_code == 403, "delete should be refused"


@pytest.mark.django_db
def test_a_member_cannot_delete_the_owners_api_token(owner, member):
    token = ApiToken.objects.create(associate=owner, name="shop", prefix="thr_abc", secret_hash="x")
    client = client_for(member)
    assert client.post(_url(ApiToken, "delete", token.pk), {"post": "yes"}).status_code == 403
    bulk = client.post(
        _url(ApiToken, "changelist"),
        {"action": "delete_selected", "_selected_action": [token.pk], "post": "yes"},
    )
    assert bulk.status_code in {200, 302, 403}
    assert ApiToken.objects.filter(pk=token.pk).exists()
    # The owner's token is not even listed for a member.
    assert "thr_abc" not in client.get(_url(ApiToken, "changelist")).content.decode()
    assert "thr_abc" in client_for(owner).get(_url(ApiToken, "changelist")).content.decode()


@pytest.mark.django_db
def test_a_member_cannot_add_rate_limit_rows_that_lock_the_owner_out(owner, member):
    response = client_for(member).post(
        _url(RateWindow, "add"), {"caller": f"token:{owner.pk}", "window": "0", "hits": "99999"}
    )
    assert response.status_code == 403
    assert not RateWindow.objects.exists()


@pytest.mark.django_db
def test_a_read_only_associate_changes_nothing_in_the_admin(read_only, owner):
    client = client_for(read_only)
    response = client.post(
        _url(owner.__class__, "change", owner.pk), {"username": "taken", "role": "read_only"}
    )
    assert response.status_code == 403
    owner.refresh_from_db()
    assert owner.username == "owner" and owner.role == Role.OWNER
