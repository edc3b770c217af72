"""Polling a real IMAP mailbox (Dovecot on loopback): new mail is filed, nothing twice."""

from __future__ import annotations

from thrive.service import imap
from thrive.service.models import Conversation, Mailbox, Message, RawMessage

from .conftest import customer_email
from .dovecot import dovecot  # noqa: F401 (the fixture)


def _mailbox(server) -> Mailbox:
    return Mailbox.objects.create(
        host="127.0.0.1", port=server.port, use_ssl=False, username=server.user,
        password_sealed=imap.seal_password(server.password),
    )  # fmt: skip


def test_polling_files_new_mail_and_fetches_nothing_twice(db, dovecot):  # noqa: F811
    box = _mailbox(dovecot)
    dovecot.append(bytes(customer_email(subject="Opening hours at Easter?")))
    dovecot.append(bytes(customer_email(sender="sam@example.com", subject="Loyalty card")))

    assert imap.poll(box) == 2
    assert sorted(Conversation.objects.values_list("subject", flat=True)) == [
        "Loyalty card", "Opening hours at Easter?",
    ]  # fmt: skip
    box.refresh_from_db()
    assert box.last_uid == 2 and box.uid_validity and box.last_error == ""

    assert imap.poll(box) == 0  # nothing new, nothing fetched again
    dovecot.append(bytes(customer_email(subject="Re: Loyalty card", sender="sam@example.com")))
    assert imap.poll(box) == 1
    assert RawMessage.objects.filter(source="imap").count() == 3
    assert Message.objects.count() == 3
    assert Conversation.objects.count() == 2


def test_a_wrong_password_is_noted_on_the_mailbox_not_raised(db, dovecot):  # noqa: F811
    box = _mailbox(dovecot)
    box.password_sealed = imap.seal_password("wrong")
    box.save()
    results = imap.poll_all()
    box.refresh_from_db()
    assert "failed" in str(results[str(box)])
    assert "AUTHENTICATIONFAILED" in box.last_error or "failed" in box.last_error.lower()
    assert not RawMessage.objects.exists()


def test_the_owner_connects_a_mailbox_and_only_new_mail_is_fetched(owner, dovecot):  # noqa: F811
    from django.urls import reverse

    from thrive.conftest import client_for

    dovecot.append(bytes(customer_email(subject="Old mail already handled")))
    client = client_for(owner)
    form = {"action": "mailbox", "host": "127.0.0.1", "port": dovecot.port, "username":
            dovecot.user, "password": "wrong", "folder": "INBOX"}  # fmt: skip
    refused = client.post(reverse("inbox_settings"), form)
    assert refused.status_code == 400 and b"Could not open INBOX on 127.0.0.1" in refused.content
    assert not Mailbox.objects.exists()
    assert client.post(reverse("inbox_settings"), {**form, "password": dovecot.password}
                       ).status_code == 302  # fmt: skip
    box = Mailbox.objects.get()
    assert box.last_uid == 1 and box.password_sealed and dovecot.password not in box.password_sealed
    dovecot.append(bytes(customer_email(subject="New question")))
    assert imap.poll(box) == 1
    assert list(Conversation.objects.values_list("subject", flat=True)) == ["New question"]
