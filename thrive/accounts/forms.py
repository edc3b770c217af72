"""The owner's settings page and each associate's profile."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, cast
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from thrive.core import business
from thrive.core.money import CURRENCY_CODES
from thrive.core.roles import Role

from .models import Business

LOGO_MAX_BYTES = 512 * 1024
# A host name (labels of letters, digits and hyphens) or an IPv4 address; no scheme, port
# or spaces: "smtp.example.com", not "smtp://smtp.example.com:587".
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")
SMTP_FIELDS = ("smtp_host", "smtp_port", "smtp_security", "smtp_username", "send_real_email")
# Raster images only: an SVG can carry script, so it is refused like any other format.
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
LOGO_MAX_PIXELS = 4096
# Thrive's own accent: what a colour input (which cannot be blank) starts at.
DEFAULT_BRAND_COLOUR = "#0f766e"


def zone_choices(blank: str) -> list[tuple[str, Any]]:
    """Every zoneinfo name, grouped by region (Africa, America, Europe ...)."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name in sorted(available_timezones()):
        if "/" not in name or name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")):
            if name != "UTC":
                continue
        region = name.split("/", 1)[0] if "/" in name else "Other"
        groups[region].append((name, name.replace("_", " ")))
    return [("", blank), *((region, names) for region, names in sorted(groups.items()))]


def currency_choices() -> list[tuple[str, str]]:
    return [("", f"Default ({business.DEFAULT_CURRENCY})")] + [
        (code, code) for code in sorted(CURRENCY_CODES)
    ]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


# Each setting the server may fix, and the variable that fixes it.
SERVER_VARIABLES = {
    "name": "THRIVE_BUSINESS_NAME",
    "time_zone": "THRIVE_TIME_ZONE",
    "currency": "THRIVE_CURRENCY",
    "public_url": "THRIVE_PUBLIC_URL",
    "sender_email": "DEFAULT_FROM_EMAIL",
    "reply_to": "THRIVE_REPLY_TO",
    "quiet_hours_off": "THRIVE_QUIET_HOURS",
    "quiet_hours_start": "THRIVE_QUIET_HOURS",
    "quiet_hours_end": "THRIVE_QUIET_HOURS",
    "max_automated_per_week": "THRIVE_MAX_AUTOMATED_PER_WEEK",
}


class BusinessSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(required=False, label="Time zone")
    currency = forms.ChoiceField(required=False, label="Currency")
    logo = forms.FileField(
        required=False, help_text="PNG, JPEG or WebP, at most 512 KB. Not SVG.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )  # fmt: skip
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")
    smtp_password = forms.CharField(
        required=False, label="SMTP password", strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    class Meta:
        model = Business
        fields = [
            "name", "logo", "brand_colour", "public_url", "time_zone", "currency",
            "other_currencies", "sender_name", "sender_email", "reply_to", "quiet_hours_off",
            "quiet_hours_start", "quiet_hours_end", "max_automated_per_week",
            "smtp_host", "smtp_port", "smtp_security", "smtp_username", "send_real_email",
        ]  # fmt: skip
        labels = {
            "name": "Business name", "brand_colour": "Brand colour",
            "other_currencies": "Other currencies are shown", "sender_name": "Sender name",
            "quiet_hours_off": "No quiet hours", "quiet_hours_start": "Quiet hours start",
            "quiet_hours_end": "Quiet hours end",
            "max_automated_per_week": "Automated emails per person per week at most",
            "smtp_host": "SMTP server", "smtp_port": "Port", "smtp_security": "Security",
            "smtp_username": "User name", "send_real_email": "Send real email through this server",
        }  # fmt: skip
        widgets = {
            "brand_colour": forms.TextInput(attrs={"type": "color"}),
            "public_url": forms.URLInput(attrs={"placeholder": "https://crm.example.com"}),
            "quiet_hours_start": TimeInput(),
            "quiet_hours_end": TimeInput(),
            "smtp_host": forms.TextInput(attrs={"placeholder": "smtp.example.com"}),
            "smtp_username": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = zone_choices(
            f"Default ({business.DEFAULT_TIME_ZONE})"
        )
        cast(forms.ChoiceField, self.fields["currency"]).choices = currency_choices()
        self.fields["name"].required = False
        self.fields["logo"].initial = None
        if not self.instance.brand_colour:
            self.initial["brand_colour"] = DEFAULT_BRAND_COLOUR
        self.server_set: dict[str, str] = {}
        for field, variable in SERVER_VARIABLES.items():
            if business.server_value(variable) is not None:
                self.fields[field].disabled = True
                self.fields[field].help_text = f"Set by {variable} on the server."
                self.server_set[field] = variable
        # Shown as the server has it (a disabled field is never saved, see changed_values).
        shown = {
            "name": business.name, "time_zone": business.time_zone_name,
            "currency": business.currency, "public_url": business.public_url,
            "sender_email": business.sender_address,
            "max_automated_per_week": business.max_automated_per_week,
        }  # fmt: skip
        for field, value in shown.items():
            if field in self.server_set:
                self.initial[field] = value()
        self.password_saved = bool(self.instance.smtp_password_sealed)
        self.fields["smtp_password"].help_text = (
            "A password is saved; leave this blank to keep it."
            if self.password_saved
            else "The password or app password your mail provider gives you."
        )
        self.fields["smtp_port"].help_text = "Blank: 587 for STARTTLS, 465 for SSL/TLS, 25."
        # The server's EMAIL_URL decides where email goes: the page's SMTP part is shown off.
        self.mail_from_server = business.mail_from_server()
        if self.mail_from_server:
            for field in (*SMTP_FIELDS, "smtp_password"):
                self.fields[field].disabled = True

    def clean_logo(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("logo")
        if not upload or not isinstance(upload, UploadedFile):
            return None
        if upload.size is not None and upload.size > LOGO_MAX_BYTES:
            raise ValidationError(
                f"The logo is {upload.size // 1024} KB; at most {LOGO_MAX_BYTES // 1024} KB."
            )
        try:
            with Image.open(upload) as image:
                kind = image.format or ""
                image.verify()
                width, height = image.size
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(
                "The logo is not a PNG, JPEG or WebP image (SVG is not accepted)."
            ) from None
        finally:
            upload.seek(0)
        if kind not in LOGO_FORMATS:
            raise ValidationError(
                f"The logo is a {kind or 'unknown'} image; use PNG, JPEG or WebP."
            )
        if max(width, height) > LOGO_MAX_PIXELS:
            raise ValidationError(
                f"The logo is {width}×{height} pixels; at most {LOGO_MAX_PIXELS} a side."
            )
        # Named for what it is, so it is served with the right type whatever it was called.
        upload.name = f"logo.{'jpg' if kind == 'JPEG' else kind.lower()}"
        return upload

    def clean_public_url(self) -> str:
        raw = (self.cleaned_data.get("public_url") or "").strip()
        if not raw:
            return ""
        parts = urlsplit(raw)
        if parts.scheme not in {"http", "https"}:
            raise ValidationError("The public address starts with https:// (or http://).")
        if parts.query or parts.fragment:
            raise ValidationError("The public address has no ?query or #part.")
        return raw.rstrip("/")

    def clean_brand_colour(self) -> str:
        value = (self.cleaned_data.get("brand_colour") or "").lower()
        if value == DEFAULT_BRAND_COLOUR and not self.instance.brand_colour:
            return ""  # the colour input's starting value, untouched: still the default
        return value

    def clean_smtp_host(self) -> str:
        raw = (self.cleaned_data.get("smtp_host") or "").strip().rstrip(".")
        if raw and not HOST_NAME.match(raw):
            raise ValidationError(
                "Write the server's name only, like smtp.example.com: no smtp://, port or "
                "spaces (the port has its own field)."
            )
        return raw.lower()

    def clean_smtp_port(self) -> int | None:
        port = self.cleaned_data.get("smtp_port")
        if port is not None and not 1 <= port <= 65535:
            raise ValidationError("The port is a number from 1 to 65535 (usually 587 or 465).")
        return port

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.mail_from_server and data.get("send_real_email"):
            if not data.get("smtp_host") and "smtp_host" not in self.errors:
                self.add_error(
                    "smtp_host", "Give the SMTP server's name to send real email through it."
                )
            has_password = bool(data.get("smtp_password")) or self.password_saved
            if data.get("smtp_username") and not has_password:
                self.add_error("smtp_password", "Give the password for this user name.")
        if "quiet_hours_off" not in self.server_set and not data.get("quiet_hours_off"):
            start, end = data.get("quiet_hours_start"), data.get("quiet_hours_end")
            if (start is None) != (end is None):
                self.add_error(
                    "quiet_hours_end" if end is None else "quiet_hours_start",
                    "Give both the start and the end of the quiet hours (or neither).",
                )
            elif start is not None and start == end:
                self.add_error("quiet_hours_end", "The quiet hours end when they start.")
        return data

    def _post_clean(self) -> None:
        # The model is validated by the service (with the file); here only the fields.
        pass

    def changed_values(self) -> dict[str, Any]:
        """The fields the owner may change, without the logo (saved on its own)."""
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name != "logo" and not self.fields[name].disabled and name in self.cleaned_data
        }

    def new_smtp_password(self) -> str | None:
        """The password typed in, or None to keep the saved one (a blank field keeps it)."""
        if self.fields["smtp_password"].disabled:
            return None
        return self.cleaned_data.get("smtp_password") or None


class ProfileForm(forms.Form):
    time_zone = forms.ChoiceField(
        required=False, label="My time zone",
        help_text="Times are shown to you in this zone. Default: the business's zone.",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = zone_choices(
            f"The business's zone ({business.time_zone_name()})"
        )


class InviteForm(forms.Form):
    """Who to invite and with which role."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
