"""Who may call what: tokens per role, read-only tokens, no token, revoked tokens."""

from __future__ import annotations

import pytest

from thrive.api.models import TokenScope
from thrive.api.services import revoke_token
from thrive.core.roles import Role
from thrive.testing.factories import PersonFactory

from .conftest import ApiClient, token

pytestmark = pytest.mark.django_db

READS = [
    "/people", "/organizations", "/activities", "/segments", "/products", "/orders",
    "/subscriptions", "/deals", "/tasks", "/campaigns", "/ideas", "/surveys",
]  # fmt: skip


def writes(person_id: int) -> list[tuple[str, str, dict]]:
    return [
        ("POST", "/people", {"first_name": "Ada", "email": "ada@example.org"}),
        ("PATCH", f"/people/{person_id}", {"city": "Leeds"}),
        ("POST", f"/people/{person_id}/tags", {"name": "wholesale"}),
        ("POST", f"/people/{person_id}/interactions", {"kind": "call", "subject": "Beans"}),
        ("POST", "/organizations", {"name": "Kettle Co"}),
        ("POST", "/segments", {"name": "Clients", "rules": {"match": "all", "rules": [
            {"field": "stage", "op": "in", "value": ["client"]}]}}),
        ("POST", "/products", {"sku": "HOUSE-250", "name": "House blend", "price": "12.50"}),
        ("POST", "/orders", {"person_id": person_id, "number": "A-1",
                             "lines": [{"quantity": 2, "unit_price": "12.50"}]}),
        ("POST", "/tasks", {"title": "Call back", "person_id": person_id}),
        ("POST", "/ideas", {"person_id": person_id, "title": "Oat milk"}),
        ("POST", "/surveys", {"name": "NPS spring"}),
    ]  # fmt: skip


def test_every_role_reads_every_list(persona):
    api = ApiClient(token(persona, TokenScope.READ))
    for path in READS:
        response = api.get(path)
        assert response.status_code == 200, (path, response.content)
        assert set(response.json()) == {"items", "next"}


@pytest.mark.parametrize(
    ("role", "scope", "allowed"),
    [
        (Role.OWNER, TokenScope.WRITE, True),
        (Role.MEMBER, TokenScope.WRITE, True),
        (Role.OWNER, TokenScope.READ, False),
        (Role.MEMBER, TokenScope.READ, False),
        (Role.READ_ONLY, TokenScope.READ, False),
    ],
)
def test_writes_need_an_editing_role_and_a_write_token(role, scope, allowed, request):
    user = request.getfixturevalue({"owner": "owner", "member": "member"}.get(role, "read_only"))
    api = ApiClient(token(user, scope))
    person = PersonFactory()
    for method, path, body in writes(person.pk):
        response = api.send(method, path, body)
        if allowed:
            assert response.status_code in {200, 201}, (path, response.content)
        else:
            assert response.status_code == 403, (path, response.content)
            reason = response.json()["errors"][0]["reason"]
            assert "read" in reason.lower() or "role" in reason.lower()


def test_a_read_only_associate_cannot_get_a_write_token(read_only):
    from django.core.exceptions import ValidationError

    from thrive.api.services import issue_token

    with pytest.raises(ValidationError):
        issue_token(actor=read_only, name="sneaky", scope=TokenScope.WRITE)


def test_a_role_lowered_after_the_token_was_made_is_honoured(member):
    api = ApiClient(token(member))
    member.role = Role.READ_ONLY
    member.save()
    response = api.post("/organizations", {"name": "Later Ltd"})
    assert response.status_code == 403


def test_no_token_a_wrong_token_and_a_revoked_token_get_401(owner):
    secret = token(owner)
    assert ApiClient(None).get("/people").status_code == 401
    assert ApiClient(secret + "x").get("/people").status_code == 401
    assert ApiClient("thr_nothing_here").get("/people").status_code == 401
    assert ApiClient(secret).get("/people").status_code == 200
    from thrive.api.models import ApiToken

    revoke_token(ApiToken.objects.get(), actor=owner)
    response = ApiClient(secret).get("/people")
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "Authorization"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/organizations"), ("POST", "/organizations"), ("PATCH", "/organizations/1"),
     ("DELETE", "/people/1/tags/vip")],
)
@pytest.mark.parametrize("sent", ["Bearer thr_wrong_secret", "Bearer ", "Basic abc", None])
def test_a_wrong_token_or_none_answers_401_with_the_error_body_for_every_method(
    owner, method, path, sent
):
    from django.test import Client

    # CSRF enforced as in production: a bad token must not be judged as a session.
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": sent} if sent else {}
    call = getattr(client, method.lower())
    response = call(f"/api/v1{path}", {"name": "X"}, content_type="application/json",
                    headers=headers)  # fmt: skip
    assert response.status_code == 401, response.content
    assert response.json()["errors"][0]["field"] == "Authorization"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_on_a_write_answers_401_even_from_a_signed_in_browser(owner):
    from django.test import Client

    from thrive.api.models import ApiToken

    secret = token(owner)
    revoke_token(ApiToken.objects.get(), actor=owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post("/api/v1/organizations", {"name": "X"},
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    assert response.status_code == 401
    assert response.json()["errors"][0]["reason"].startswith("Send a valid API token")


def test_only_a_hash_of_the_secret_is_stored(owner):
    from thrive.api.models import ApiToken

    secret = token(owner)
    row = ApiToken.objects.get()
    assert secret not in {row.secret_hash, row.prefix, row.name}
    assert secret.startswith(f"thr_{row.prefix}_")


def test_session_writes_need_the_csrf_token(owner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get("/api/v1/people").status_code == 200
    response = client.post("/api/v1/organizations", {"name": "X"}, content_type="application/json")
    assert response.status_code == 403
    client.get("/api/tokens/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/organizations", {"name": "X"}, content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )  # fmt: skip
    assert response.status_code == 201, response.content
