"""Money: Decimal amounts with an ISO 4217 currency code."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models

# Active ISO 4217 codes. Kept here rather than pulled from a locale library: the list
# changes a few times a decade and validation must not depend on the host's locale data.
CURRENCY_CODES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG
    """.split()
)

MAX_DIGITS = 14
DECIMAL_PLACES = 2
CENT = Decimal("0.01")


def validate_currency(code: str) -> None:
    if code not in CURRENCY_CODES:
        raise ValidationError(
            "%(code)s is not an ISO 4217 currency code (for example USD, EUR, GBP).",
            code="invalid_currency",
            params={"code": code},
        )


def parse_amount(raw: object, *, field: str = "amount", allow_negative: bool = False) -> Decimal:
    """Parse a money amount exactly, refusing anything that would need rounding or guessing.

    Raises ValidationError naming ``field`` for non-numbers, NaN/infinity, more than two
    decimal places, negative values (unless allowed) or values too large to store.
    """
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw).strip().replace(",", "") if raw is not None else ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError({field: f"{raw!r} is not a number."}, code="invalid_amount") from None
    if not value.is_finite():
        raise ValidationError({field: f"{raw!r} is not a finite number."}, code="invalid_amount")
    if value != value.quantize(CENT):
        raise ValidationError(
            {field: f"{raw!r} has more than {DECIMAL_PLACES} decimal places."},
            code="invalid_amount",
        )
    if value < 0 and not allow_negative:
        raise ValidationError({field: f"{raw!r} is negative."}, code="negative_amount")
    if abs(value) >= Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES):
        raise ValidationError({field: f"{raw!r} is too large."}, code="invalid_amount")
    return value.quantize(CENT)


def money_field(**kwargs: object) -> models.DecimalField:
    """A DecimalField sized for money; pair it with a ``currency_field``."""
    return models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)  # type: ignore[arg-type]


def currency_field(**kwargs: object) -> models.CharField:
    return models.CharField(max_length=3, validators=[validate_currency], **kwargs)  # type: ignore[arg-type]
