"""The invitation link: a signed, expiring, single-use link to choose a first password."""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from thrive.core import business

from .models import Associate


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token (it expires after PASSWORD_RESET_TIMEOUT and stops working
    once a password is set or the associate signs in), with its own salt so an invitation
    link and a password-reset link can never stand in for each other."""

    key_salt = "thrive.accounts.invitations.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def invitation_link(associate: Associate) -> str:
    """The link in the invitation email, on the business's public address."""
    uid = urlsafe_base64_encode(force_bytes(associate.pk))
    token = invitation_tokens.make_token(associate)
    path = reverse("accept_invitation", kwargs={"uidb64": uid, "token": token})
    return f"{business.public_url()}{path}"
