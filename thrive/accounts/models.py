"""Associates: the people who work in the business and sign in to Thrive."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from thrive.core.roles import Role, role_allows


def validate_time_zone(name: str) -> None:
    if name not in available_timezones():
        raise ValidationError(
            "%(name)s is not a time zone name (for example Europe/London).",
            code="invalid_time_zone",
            params={"name": name},
        )


class Associate(AbstractUser):
    """A staff member. Their ``role`` decides what they may see and change everywhere,
    the admin included: permissions derive from the role, not from per-user grants."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    person = models.OneToOneField(
        "contacts.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="associate_account",
        help_text="This associate's own record in the ecosystem (role: associate).",
    )

    class Meta:
        verbose_name = "associate"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.is_superuser:
            # `thrive createsuperuser` (the documented first sign-in) makes the business's
            # owner; without this the role's default would quietly turn them into a member.
            self.role = Role.OWNER
        # Every associate can open the admin; what they may do there follows the role.
        self.is_staff = self.is_active
        self.is_superuser = self.role == Role.OWNER
        super().save(*args, **kwargs)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        if not self.is_active:
            return False
        return role_allows(self.role, perm)

    def has_perms(self, perm_list: Any, obj: Any = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and self.role in {Role.OWNER, Role.MEMBER, Role.READ_ONLY}


class Business(models.Model):
    """The business this Thrive serves: one row, edited by the owner."""

    name = models.CharField(max_length=200)
    tagline = models.CharField(max_length=255, blank=True)
    website = models.URLField(blank=True)

    class Meta:
        verbose_name_plural = "business"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current_name(cls, default: str) -> str:
        row = cls.objects.order_by("pk").values_list("name", flat=True).first()
        return row or default
