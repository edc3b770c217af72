"""Associates: the people who work in the business and sign in to Thrive."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from thrive.core import business
from thrive.core.money import validate_currency
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
    # Blank: follow the business's zone (thrive.core.business), as the owner changes it.
    time_zone = models.CharField(
        max_length=64, blank=True, default="", validators=[validate_time_zone]
    )
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


class OtherCurrencies(models.TextChoices):
    # The only way implemented: an order in another currency keeps its own amounts and is
    # shown beside the business's currency, never converted at a guessed rate.
    SEPARATELY = "separately", "Separately, each in its own currency (no conversion)"


hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Write the colour as # and six hex digits, for example #1f6f5c."
)


class SmtpSecurity(models.TextChoices):
    STARTTLS = "starttls", "STARTTLS (usually port 587)"
    SSL_TLS = "ssl", "SSL/TLS (usually port 465)"
    NONE = "none", "None (only on a trusted network)"


class Business(models.Model):
    """The business this Thrive serves: one row, edited by the owner on the settings page.

    Blank fields fall back to the built-in defaults; a value the server sets in the
    environment wins over any of them (thrive.core.business reads them all)."""

    # Blank: "Thrive", until the owner names the business (or THRIVE_BUSINESS_NAME does).
    name = models.CharField(max_length=200, blank=True)
    tagline = models.CharField(max_length=255, blank=True)
    website = models.URLField(blank=True)
    logo = models.ImageField(upload_to="business/", blank=True)
    brand_colour = models.CharField(max_length=7, blank=True, validators=[hex_colour])
    public_url = models.URLField(
        "public address", blank=True, help_text="Where people reach Thrive: links in emails."
    )
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    currency = models.CharField(max_length=3, blank=True, validators=[validate_currency])
    other_currencies = models.CharField(
        max_length=16, choices=OtherCurrencies.choices, default=OtherCurrencies.SEPARATELY
    )
    sender_name = models.CharField(max_length=100, blank=True)
    sender_email = models.EmailField("sender address", blank=True)
    reply_to = models.EmailField("reply-to address", blank=True)
    quiet_hours_off = models.BooleanField(default=False)
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    max_automated_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(50)]
    )
    # The business's own mail server (thrive.core.business.mail_delivery); EMAIL_URL on
    # the server wins over all of these.
    smtp_host = models.CharField("SMTP server", max_length=253, blank=True)
    smtp_port = models.PositiveIntegerField(
        "SMTP port", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(65535)],
    )  # fmt: skip
    smtp_security = models.CharField(
        "SMTP security", max_length=8, choices=SmtpSecurity.choices, default=SmtpSecurity.STARTTLS
    )
    smtp_username = models.CharField("SMTP user name", max_length=255, blank=True)
    # Fernet-sealed (thrive.core.sealed); never shown back.
    smtp_password_sealed = models.TextField("SMTP password", blank=True)
    send_real_email = models.BooleanField("send real email through this server", default=False)
    onboarding_dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "business"

    def __str__(self) -> str:
        return self.name

    @property
    def quiet_hours(self) -> str | None:
        """As THRIVE_QUIET_HOURS writes it ("20:00-08:00", "off"); None when not set."""
        if self.quiet_hours_off:
            return "off"
        if self.quiet_hours_start and self.quiet_hours_end:
            return f"{self.quiet_hours_start:%H:%M}-{self.quiet_hours_end:%H:%M}"
        return None

    @classmethod
    def current_name(cls, default: str = "") -> str:
        """The business's name as everything reads it: thrive.core.business.name()."""
        return business.name() or default


class SettingChange(models.Model):
    """One change to the business's settings or an associate's own: who changed what from
    what to what. Append-only; the settings page shows the recent ones."""

    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "business", or the associate whose own settings changed.
    subject = models.CharField(max_length=160)
    field = models.CharField(max_length=64)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject}: {self.field} {self.old_value!r} → {self.new_value!r}"
