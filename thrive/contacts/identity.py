"""Normalising and validating the things that identify a person: email and phone."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


def normalize_email(raw: str | None, *, field: str = "email") -> str | None:
    """Return the email trimmed and lower-cased, or None when blank.

    Lower-casing the local part is deliberate: mail systems in practice treat it
    case-insensitively, and a person must not become two records over a capital letter.
    Raises ValidationError naming ``field`` when the address is not valid.
    """
    if raw is None:
        return None
    email = raw.strip().lower()
    if not email:
        return None
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {field: f"{raw.strip()!r} is not a valid email address."}, code="invalid_email"
        ) from None
    return email


def normalize_phone(raw: str | None, *, region: str | None = None, field: str = "phone") -> str:
    """Return the number in E.164 form (+14155550123), or "" when blank.

    Numbers without a leading + are read in ``region`` (default THRIVE_PHONE_REGION).
    Raises ValidationError naming ``field`` when it is not a possible, valid number.
    """
    if raw is None or not raw.strip():
        return ""
    region = region or getattr(settings, "THRIVE_PHONE_REGION", "US")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            {field: f"{raw.strip()!r} is not a phone number."}, code="invalid_phone"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            {field: f"{raw.strip()!r} is not a valid phone number for {region}."},
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
