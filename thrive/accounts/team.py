"""The owner's team: inviting associates, changing their roles, (de)activating them.

Each change is audited as a SettingChange on the associate; only an owner (or the
system) may make one. The business always keeps at least one active owner."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from thrive.core import business
from thrive.core.roles import Role, check_actor, require_manage
from thrive.core.transactional_email import build_message, send_after_commit

from .invitations import invitation_link
from .models import Associate, SettingChange


def _owner(actor: Any) -> None:
    check_actor(actor)
    if actor is not None:
        require_manage(actor)


def _audit(actor: Any, who: Associate, field: str, old: str, new: str) -> SettingChange:
    return SettingChange.objects.create(
        actor=actor, subject=f"associate {who.username}", field=field,
        old_value=old, new_value=new,
    )  # fmt: skip


def has_joined(associate: Associate) -> bool:
    """Invited associates have no usable password until they follow their link."""
    return associate.has_usable_password() or associate.last_login is not None


def _username_for(email: str) -> str:
    """The part of the email before the @, kept to the characters usernames allow, made
    unique with a number (ann, ann-2, …)."""
    base = re.sub(r"[^\w.+-]", "", email.partition("@")[0]).lower()[:140] or "associate"
    name, n = base, 1
    while Associate.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _send_invitation(*, actor: Any, associate: Associate) -> None:
    inviter = (actor.get_full_name() or actor.username) if actor is not None else "The owner"
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    where = business.name()
    text = (
        f"Hello {associate.first_name},\n\n"
        f"{inviter} invited you to {where}'s Thrive as {Role(associate.role).label}.\n\n"
        f"Choose your password to join:\n{invitation_link(associate)}\n\n"
        f"The link works once, for {days} day{'s' if days != 1 else ''}. Your username is "
        f"{associate.username}; you may also sign in with it later.\n"
    )
    message = build_message(
        to=associate.email, subject=f"You are invited to {where} on Thrive", text=text
    )
    send_after_commit(message, what="invitation")


@transaction.atomic
def invite_associate(
    *, actor: Associate | None, first_name: str, last_name: str, email: str, role: str
) -> Associate:
    """Create the associate (no usable password: they cannot sign in until they choose
    one through the link) and email them the invitation once this commits."""
    _owner(actor)
    email = email.strip()
    validate_email(email)
    if role not in Role.values:
        raise ValidationError({"role": f"{role} is not a role."})
    # Only owners invite, so locking the active owners' rows queues two invitations sent at
    # the same moment: the second then sees the first and cannot make a twin (SQLite's
    # IMMEDIATE transactions queue them already).
    list(Associate.objects.select_for_update().filter(role=Role.OWNER, is_active=True)
         .values_list("pk", flat=True))  # fmt: skip
    if Associate.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": f"{email} already belongs to someone on the team; "
                      "resend their invitation or change their role instead."}
        )  # fmt: skip
    associate = Associate(
        username=_username_for(email), email=email, role=role,
        first_name=first_name.strip(), last_name=last_name.strip(),
    )  # fmt: skip
    associate.set_unusable_password()
    associate.full_clean(exclude=["password"])
    associate.save()
    _audit(actor, associate, "invited", "", f"{email} as {Role(role).label}")
    _send_invitation(actor=actor, associate=associate)
    return associate


@transaction.atomic
def resend_invitation(*, actor: Associate | None, associate_id: int) -> Associate:
    _owner(actor)
    associate = Associate.objects.select_for_update().get(pk=associate_id)
    if has_joined(associate):
        raise ValidationError(f"{associate} has already joined; there is nothing to resend.")
    if not associate.is_active:
        raise ValidationError(f"{associate} is deactivated; reactivate them first.")
    _audit(actor, associate, "invitation", "", f"sent again to {associate.email}")
    _send_invitation(actor=actor, associate=associate)
    return associate


def _guard_owners(actor: Any, associate: Associate, what: str) -> None:
    """Refuse to take the business's last active owner away, or the owner acting."""
    if associate.role != Role.OWNER or not associate.is_active:
        return
    if actor is not None and associate.pk == actor.pk:
        raise ValidationError(f"You cannot {what} yourself; ask another owner to.")
    # Locked so two owners demoting each other at once cannot both succeed.
    owners = list(
        Associate.objects.select_for_update()
        .filter(role=Role.OWNER, is_active=True)
        .values_list("pk", flat=True)
    )
    if owners == [associate.pk]:
        raise ValidationError(f"{associate} is the only active owner; the business needs one.")


@transaction.atomic
def change_role(*, actor: Associate | None, associate_id: int, role: str) -> Associate:
    _owner(actor)
    if role not in Role.values:
        raise ValidationError({"role": f"{role} is not a role."})
    associate = Associate.objects.select_for_update().get(pk=associate_id)
    old = associate.role
    if old == role:
        return associate
    if old == Role.OWNER:
        _guard_owners(actor, associate, "take the owner role from")
    associate.role = role
    associate.save()
    _audit(actor, associate, "role", Role(old).label, Role(role).label)
    return associate


@transaction.atomic
def set_active(*, actor: Associate | None, associate_id: int, active: bool) -> Associate:
    """Deactivate (they can no longer sign in; their work stays) or reactivate."""
    _owner(actor)
    associate = Associate.objects.select_for_update().get(pk=associate_id)
    if associate.is_active == active:
        return associate
    if not active:
        if actor is not None and associate.pk == actor.pk:
            raise ValidationError("You cannot deactivate yourself; ask another owner to.")
        _guard_owners(actor, associate, "deactivate")
    associate.is_active = active
    associate.save()
    _audit(actor, associate, "active", "no" if active else "yes", "yes" if active else "no")
    return associate
