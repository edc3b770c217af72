"""The owner's Team page: inviting colleagues by email, roles, deactivating, the audit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from thrive.accounts import team
from thrive.accounts.invitations import InvitationTokenGenerator
from thrive.accounts.models import Associate, Business, SettingChange
from thrive.conftest import client_for
from thrive.core.roles import Role
from thrive.core.testing.db import no_writes
from thrive.testing.factories import AssociateFactory

pytestmark = pytest.mark.django_db

ANN = {"first_name": "Ann", "last_name": "Lee", "email": "ann@kettle.example", "role": "member"}
PASSWORD = "a-fresh-Roast-2026!"


@pytest.fixture(autouse=True)
def public_address(monkeypatch):
    for name in ("THRIVE_PUBLIC_URL", "THRIVE_SERVED_URL", "THRIVE_BUSINESS_NAME"):
        monkeypatch.delenv(name, raising=False)
    Business.objects.create(name="Kettle & Crow", public_url="https://crm.kettle.example")


def invite(owner, capture, **values):
    with capture(execute=True):
        return team.invite_associate(actor=owner, **{**ANN, **values})


def link_path(body: str) -> str:
    return re.search(r"https://crm\.kettle\.example(/accounts/welcome/\S+/)", body).group(1)


def join(path: str, password: str = PASSWORD) -> tuple[Client, object]:
    client = Client()
    form = client.get(path, follow=True)
    assert form.context["validlink"], "the invitation link was refused"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    return client, done


def test_an_invited_associate_cannot_sign_in_until_the_link_sets_a_password(
    owner, django_capture_on_commit_callbacks
):
    ann = invite(owner, django_capture_on_commit_callbacks)
    assert ann.username == "ann" and ann.role == Role.MEMBER and ann.is_active
    assert not ann.has_usable_password() and not team.has_joined(ann)
    assert not Client().login(username="ann", password="")
    [sent] = mail.outbox
    assert sent.to == ["ann@kettle.example"] and "as Member" in sent.body
    client, done = join(link_path(sent.body))
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.session[SESSION_KEY] == str(ann.pk)  # signed in by the link
    assert client.get("/").status_code == 200
    assert Client().login(username="ann", password=PASSWORD)


def test_a_used_invitation_link_does_not_work_twice(owner, django_capture_on_commit_callbacks):
    invite(owner, django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0].body)
    join(path)
    again = Client().get(path, follow=True)
    assert again.context["validlink"] is False
    assert b"expired or was already used" in again.content


def test_an_expired_invitation_link_is_refused(
    owner, django_capture_on_commit_callbacks, monkeypatch
):
    ann = invite(owner, django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0].body)
    # Django's token clock is naive local time; PASSWORD_RESET_TIMEOUT is 3 days.
    later = dt.datetime.now() + dt.timedelta(days=4)  # noqa: DTZ005
    monkeypatch.setattr(InvitationTokenGenerator, "_now", lambda self: later)
    page = Client().get(path, follow=True)
    assert page.context["validlink"] is False
    ann.refresh_from_db()
    assert not ann.has_usable_password()


def test_a_password_reset_link_cannot_stand_in_for_an_invitation(owner):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_encode

    ann = AssociateFactory(username="ann2", email="ann2@kettle.example")
    uid = urlsafe_base64_encode(str(ann.pk).encode())
    page = Client().get(
        f"/accounts/welcome/{uid}/{default_token_generator.make_token(ann)}/", follow=True
    )
    assert page.context["validlink"] is False


def test_a_deactivated_associates_invitation_stops_working(
    owner, django_capture_on_commit_callbacks
):
    ann = invite(owner, django_capture_on_commit_callbacks)
    team.set_active(actor=owner, associate_id=ann.pk, active=False)
    page = Client().get(link_path(mail.outbox[0].body), follow=True)
    assert page.context["validlink"] is False


def test_an_email_already_on_the_team_is_refused(owner, django_capture_on_commit_callbacks):
    invite(owner, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as refused:
        invite(owner, django_capture_on_commit_callbacks, email="ANN@kettle.example")
    assert "already belongs to someone on the team" in str(refused.value)
    assert Associate.objects.filter(email__iexact="ann@kettle.example").count() == 1
    assert len(mail.outbox) == 1


def test_usernames_derived_from_emails_stay_unique(owner, django_capture_on_commit_callbacks):
    first = invite(owner, django_capture_on_commit_callbacks)
    second = invite(owner, django_capture_on_commit_callbacks, email="ann@crow.example")
    assert (first.username, second.username) == ("ann", "ann-2")


def test_only_an_owner_may_invite(member):
    with pytest.raises(PermissionDenied):
        team.invite_associate(actor=member, **ANN)
    assert not Associate.objects.filter(email=ANN["email"]).exists()


def test_the_last_active_owner_can_neither_be_demoted_nor_deactivated(owner):
    other = AssociateFactory(username="boss2", role=Role.OWNER)
    # Another owner may not take the role from themselves either.
    with pytest.raises(ValidationError, match="yourself"):
        team.change_role(actor=owner, associate_id=owner.pk, role=Role.MEMBER)
    with pytest.raises(ValidationError, match="yourself"):
        team.set_active(actor=owner, associate_id=owner.pk, active=False)
    team.change_role(actor=owner, associate_id=other.pk, role=Role.MEMBER)
    # The system (no actor) is the only one left who could try: owner is the last one.
    with pytest.raises(ValidationError, match="only active owner"):
        team.change_role(actor=None, associate_id=owner.pk, role=Role.READ_ONLY)
    with pytest.raises(ValidationError, match="only active owner"):
        team.set_active(actor=None, associate_id=owner.pk, active=False)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER and owner.is_active


def test_an_owner_demotes_another_owner_and_every_change_is_audited(
    owner, django_capture_on_commit_callbacks
):
    other = AssociateFactory(username="boss2", role=Role.OWNER)
    team.change_role(actor=owner, associate_id=other.pk, role=Role.READ_ONLY)
    team.set_active(actor=owner, associate_id=other.pk, active=False)
    team.set_active(actor=owner, associate_id=other.pk, active=True)
    ann = invite(owner, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        team.resend_invitation(actor=owner, associate_id=ann.pk)
    other.refresh_from_db()
    assert other.role == Role.READ_ONLY and not other.is_superuser and other.is_active
    rows = [
        (c.actor_id, c.subject, c.field, c.old_value, c.new_value)
        for c in SettingChange.objects.order_by("pk")
    ]
    assert rows == [
        (owner.pk, "associate boss2", "role", "Owner", "Read-only"),
        (owner.pk, "associate boss2", "active", "yes", "no"),
        (owner.pk, "associate boss2", "active", "no", "yes"),
        (owner.pk, "associate ann", "invited", "", "ann@kettle.example as Member"),
        (owner.pk, "associate ann", "invitation", "", "sent again to ann@kettle.example"),
    ]
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["ann@kettle.example"]


def test_a_deactivated_associate_can_no_longer_sign_in(owner):
    tom = AssociateFactory(username="tom")
    team.set_active(actor=owner, associate_id=tom.pk, active=False)
    assert not Client().login(username="tom", password="correct-horse-battery-staple")


# The page.


def test_members_and_read_only_associates_are_refused_with_403(member, read_only):
    tom = AssociateFactory(username="tom")
    for who in (member, read_only):
        client = client_for(who)
        assert client.get("/settings/team/").status_code == 403
        assert client.post("/settings/team/invite", ANN).status_code == 403
        assert client.post(f"/settings/team/{tom.pk}/role", {"role": "owner"}).status_code == 403
        assert client.post(f"/settings/team/{tom.pk}/active", {"active": "no"}).status_code == 403
    tom.refresh_from_db()
    assert tom.role == Role.MEMBER and tom.is_active
    assert not Associate.objects.filter(email=ANN["email"]).exists()


def test_the_page_lists_the_team_and_writes_nothing_on_get(owner):
    AssociateFactory(username="tom", first_name="Tom", last_name="Hart", email="tom@k.example")
    Associate.objects.filter(username="tom").update(
        last_login=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    )
    invited = Associate(username="ann", first_name="Ann", email="ann@k.example")
    invited.set_unusable_password()
    invited.save()
    client = client_for(owner)
    with no_writes(allow=("django_session",)):
        page = client.get("/settings/team/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Tom Hart" in text and "tom@k.example" in text and "1 Dec 2026 09:30 UTC" in text
    assert re.search(r"Ann</strong>\s*<span class=\"status status-invited\">Invited", text)
    assert "Read-only" in text and "never" in text


def test_changes_answer_only_to_post(owner):
    tom = AssociateFactory(username="tom")
    client = client_for(owner)
    for url in ("/settings/team/invite", f"/settings/team/{tom.pk}/role",
                f"/settings/team/{tom.pk}/active", f"/settings/team/{tom.pk}/resend"):  # fmt: skip
        with no_writes(allow=("django_session",)):
            assert client.get(url).status_code == 405
    assert client.post("/settings/team/", ANN).status_code == 405


def test_bad_input_gives_field_errors_not_500(owner):
    client = client_for(owner)
    bad = client.post("/settings/team/invite", {**ANN, "email": "not-an-email", "role": "king"})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"email", "role"}
    assert "Enter a valid email address." in bad.content.decode()
    empty = client.post("/settings/team/invite", {})
    assert empty.status_code == 400 and "first_name" in empty.context["form"].errors
    assert client.post(f"/settings/team/{owner.pk}/role", {"role": "king"}).status_code == 400
    assert client.post("/settings/team/99999/role", {"role": "member"}).status_code == 404
    assert Associate.objects.count() == 1


def test_a_duplicate_email_shows_on_the_email_field(owner, django_capture_on_commit_callbacks):
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/settings/team/invite", ANN).status_code == 302
    again = client.post("/settings/team/invite", {**ANN, "first_name": "Annie"})
    assert again.status_code == 400
    assert "already belongs to someone on the team" in again.context["form"].errors["email"][0]


def test_the_last_owner_guard_shows_a_clear_message_on_the_page(owner):
    client = client_for(owner)
    response = client.post(f"/settings/team/{owner.pk}/role", {"role": "member"})
    assert response.status_code == 400
    assert "You cannot take the owner role from yourself" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_role_changes_and_deactivation_show_in_the_page_audit(owner):
    tom = AssociateFactory(username="tom", first_name="Tom", last_name="Hart")
    client = client_for(owner)
    assert client.post(f"/settings/team/{tom.pk}/role", {"role": "read_only"}).status_code == 302
    assert client.post(f"/settings/team/{tom.pk}/active", {"active": "no"}).status_code == 302
    tom.refresh_from_db()
    assert tom.role == Role.READ_ONLY and not tom.is_active
    text = client.get("/settings/team/").content.decode()
    assert "associate tom: role from “Member” to “Read-only”" in text
    assert "associate tom: active from “yes” to “no”" in text
    assert "Reactivate" in text


def test_invitations_are_rate_limited_per_owner(owner, settings):
    settings.THRIVE_RATE_LIMITS = {"invitations_per_owner": (2, 3600)}
    client = client_for(owner)
    codes = [
        client.post("/settings/team/invite", {**ANN, "email": f"p{n}@kettle.example"}).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
    assert Associate.objects.filter(email__endswith="@kettle.example").count() == 2


def test_the_invitation_arrives_by_smtp_with_a_link_to_the_public_address(
    owner, smtp_sink, django_capture_on_commit_callbacks
):
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/team/invite", ANN)
    assert response.status_code == 302
    [received] = smtp_sink.wait_for(1)
    assert received.recipients == ["ann@kettle.example"]
    assert "Kettle & Crow" in str(received.message["Subject"])
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    html = received.message.get_body(preferencelist=("html",)).get_content()
    assert 'href="https://crm.kettle.example/accounts/welcome/' in html
    joined, done = join(link_path(text))
    assert done.status_code == 302
    assert Client().login(username="ann", password=PASSWORD)


def test_the_checklist_and_the_navigation_lead_owners_to_the_team_page(owner, member):
    from thrive.workspace.onboarding import steps

    [colleague] = [s for s in steps() if s.key == "colleague"]
    assert colleague.url == "/settings/team/"
    assert 'href="/settings/team/"' in client_for(owner).get("/").content.decode()
    assert 'href="/settings/team/"' not in client_for(member).get("/").content.decode()
