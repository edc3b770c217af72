"""Roles are enforced on every page and action: read-only can see, never change."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from thrive.conftest import client_for
from thrive.contacts.models import Person
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory, PersonFactory

pytestmark = pytest.mark.django_db

BUSINESS_MODELS = [
    model for model in admin.site._registry if model._meta.app_label in {"contacts", "commerce"}
]


def admin_url(model, action: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("path", ["/", "/admin/", "/admin/contacts/person/"])
def test_every_page_requires_sign_in(client: Client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_health_check_is_public_and_checks_the_database(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("model", BUSINESS_MODELS, ids=lambda m: m._meta.label)
def test_every_persona_can_open_every_business_list(persona, model):
    assert client_for(persona).get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", BUSINESS_MODELS, ids=lambda m: m._meta.label)
def test_read_only_cannot_open_any_add_form(read_only, model):
    assert client_for(read_only).get(admin_url(model, "add")).status_code == 403


def test_read_only_sees_a_person_without_a_save_button_and_cannot_post(read_only):
    person = PersonFactory(first_name="Ann")
    client = client_for(read_only)
    page = client.get(admin_url(Person, "change", person.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    response = client.post(admin_url(Person, "change", person.pk), {"first_name": "Changed"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.first_name == "Ann"


def test_read_only_cannot_delete(read_only):
    person = PersonFactory()
    response = client_for(read_only).post(admin_url(Person, "delete", person.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()


def test_member_can_add_a_person_but_not_manage_the_team(member):
    client = client_for(member)
    assert client.get(admin_url(Person, "add")).status_code == 200
    assert client.get("/admin/accounts/associate/add/").status_code == 403
    other = AssociateFactory(username="someone")
    response = client.post(f"/admin/accounts/associate/{other.pk}/change/", {"role": "owner"})
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.role == Role.MEMBER


def test_owner_manages_the_team(owner):
    assert client_for(owner).get("/admin/accounts/associate/add/").status_code == 200


def test_roles_map_to_admin_access_and_deactivation_removes_it():
    reader = AssociateFactory(username="r", role=Role.READ_ONLY)
    assert reader.is_staff and not reader.is_superuser
    assert reader.has_perm("contacts.view_person")
    assert not reader.has_perm("contacts.change_person")
    boss = AssociateFactory(username="b", role=Role.OWNER)
    assert boss.is_superuser
    boss.is_active = False
    boss.save()
    assert not boss.is_staff and not boss.has_perm("contacts.view_person")


def test_the_home_page_shows_the_ecosystem_counts(read_only):
    PersonFactory(stage="prospect")
    page = client_for(read_only).get("/")
    assert page.status_code == 200
    assert page.context["ecosystem"]["prospect"] == 1
    assert page.context["can_edit"] is False


def test_sign_in_with_the_printed_credentials_works(client: Client):
    AssociateFactory(username="maya", role=Role.OWNER)
    response = client.post(
        "/accounts/login/", {"username": "maya", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_csrf_is_enforced_on_sign_in():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_createsuperuser_without_prompts_makes_the_owner_who_can_sign_in(monkeypatch):
    # The automated deploy in docs/operations.md: no terminal, the password from the
    # environment, and the account must be the business's owner, not a member.
    from django.core.management import call_command

    from thrive.accounts.models import Associate

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-owner-passphrase-7")
    call_command(
        "createsuperuser", interactive=False, username="dana", email="dana@example.com",
        verbosity=0,
    )  # fmt: skip
    dana = Associate.objects.get(username="dana")
    assert dana.role == Role.OWNER and dana.is_superuser
    client = Client()
    assert client.login(username="dana", password="a-long-owner-passphrase-7")
    assert client.get("/admin/accounts/associate/add/").status_code == 200
