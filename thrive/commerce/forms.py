"""Forms for the orders list's filters and for recording orders, refunds, voids and deals:
validation only, no side effects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from thrive.contacts.models import Organization, Person
from thrive.core import business
from thrive.core.money import MAX_DIGITS, validate_currency

from .models import Deal, DealStage, OrderStatus, Product, SalesChannel
from .queries import REVENUE

NEW_ORDER_STATUSES = [
    (OrderStatus.COMPLETED, "Completed (paid)"),
    (OrderStatus.PENDING, "Pending (not paid yet)"),
]


def _money(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, min_value=Decimal("0"), max_digits=MAX_DIGITS,
        decimal_places=2, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"min_value": "Cannot be negative."},
    )  # fmt: skip


class CurrencyField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=3, min_length=3, **kwargs)
        self.widget.attrs.update({"size": "4", "autocapitalize": "characters"})

    def clean(self, value: Any) -> str:
        code = (super().clean(value) or "").strip().upper()
        try:
            validate_currency(code)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return code


class PersonRefField(forms.CharField):
    """A person given by id or email; an unknown one is a field error, not a 404."""

    def clean(self, value: Any) -> Person | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        person = None
        if text.isdigit():
            person = Person.objects.filter(pk=int(text)).first()
        elif "@" in text:
            person = Person.objects.filter(email=text.lower()).first()
        if person is None:
            raise forms.ValidationError(f"There is no person {text} (give an id or an email).")
        return person


class OrderForm(forms.Form):
    customer = PersonRefField(
        label="Customer", max_length=254,
        help_text="The person's id or email address.",
        error_messages={"required": "Choose the customer."},
    )  # fmt: skip
    number = forms.CharField(
        label="Order number", max_length=64,
        error_messages={"required": "Give the order a number."},
    )  # fmt: skip
    ordered_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the order's date.",
                        "invalid": "Enter a date as YYYY-MM-DD."},
    )  # fmt: skip
    currency = CurrencyField(label="Currency")
    channel = forms.ChoiceField(label="Channel", choices=SalesChannel.choices)
    status = forms.ChoiceField(label="Status", choices=NEW_ORDER_STATUSES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = business.currency()
        self.fields["ordered_on"].initial = timezone.localdate(timezone=business_zone())
        self.fields["ordered_on"].help_text = f"In the business's time zone ({business_zone()})."

    def clean_ordered_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["ordered_on"]
        if day > timezone.localdate(timezone=business_zone()):
            raise forms.ValidationError("An order cannot be dated in the future.")
        return day

    def ordered_at(self) -> dt.datetime:
        """The order's moment: now for today, otherwise noon that day, in the business's
        time zone (a date alone must not slip into the day before in UTC)."""
        day = self.cleaned_data["ordered_on"]
        zone = business_zone()
        if day == timezone.localdate(timezone=zone):
            return timezone.now()
        return dt.datetime.combine(day, dt.time(12), tzinfo=zone)


def business_zone() -> Any:

    return business.zone()


class OrderLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label="Product", required=False, queryset=Product.objects.none(),
        empty_label="— free text —",
    )  # fmt: skip
    description = forms.CharField(label="Description", required=False, max_length=255)
    quantity = forms.IntegerField(
        label="Qty", min_value=1, max_value=1_000_000, initial=1,
        error_messages={"min_value": "At least 1."},
        widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
    )  # fmt: skip
    unit_price = _money("Unit price", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product = self.fields["product"]
        assert isinstance(product, forms.ModelChoiceField)  # noqa: S101 - declared above
        product.queryset = Product.objects.filter(active=True).order_by("name")

    def has_changed(self) -> bool:
        # A row counts once it names an item or a price; a row left blank, or removed in
        # the browser (its fields absent), is no line at all.
        return any(
            str(self.data.get(self.add_prefix(name)) or "").strip()
            for name in ("product", "description", "unit_price")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        product = data.get("product")
        if not product and not (data.get("description") or "").strip():
            self.add_error("description", "Choose a product or describe the item.")
        if data.get("unit_price") is None and "unit_price" not in self.errors:
            if product is not None:
                data["unit_price"] = product.price
            else:
                self.add_error("unit_price", "Give the unit price.")
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(form.has_changed() and form.cleaned_data for form in self.forms):
            raise forms.ValidationError("An order needs at least one line.")

    def filled(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.forms if f.has_changed() and f.cleaned_data]


LineFormSet = forms.formset_factory(
    OrderLineForm, formset=BaseLineFormSet, extra=2, max_num=200, validate_max=True
)


class RefundForm(forms.Form):
    amount = _money("Amount to refund")
    reason = forms.CharField(
        label="Reason", max_length=500,
        error_messages={"required": "Say why the money is paid back."},
    )  # fmt: skip

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError("A refund must be more than zero.")
        return amount


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=500,
        error_messages={"required": "Say why the order is voided."},
    )  # fmt: skip


class DealForm(forms.ModelForm):
    person = PersonRefField(
        label="Person", required=False, max_length=254,
        help_text="The person's id or email address (or choose an organization).",
    )  # fmt: skip
    value = _money("Value")
    currency = CurrencyField(label="Currency")
    expected_close = forms.DateField(
        label="Expected close", required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )  # fmt: skip

    class Meta:
        model = Deal
        fields = ["title", "person", "organization", "value", "currency", "stage",
                  "expected_close", "owner", "next_step", "next_step_due",
                  "lost_reason"]  # fmt: skip
        widgets = {"next_step_due": forms.DateInput(attrs={"type": "date"})}
        labels = {"next_step_due": "Next step due",
                  "lost_reason": "Lost because (when moved to a lost stage)"}  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from thrive.accounts.models import Associate

        organization = self.fields["organization"]
        stage = self.fields["stage"]
        owner = self.fields["owner"]
        assert isinstance(organization, forms.ModelChoiceField)  # noqa: S101 - model FKs
        assert isinstance(stage, forms.ModelChoiceField)  # noqa: S101
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101
        organization.queryset = Organization.objects.order_by("name")
        stage.queryset = DealStage.objects.order_by("position")
        owner.queryset = Associate.objects.filter(is_active=True).order_by("first_name")
        owner.label = "Owner (associate)"
        if self.instance.pk is None:
            self.fields["currency"].initial = business.currency()
        elif self.instance.person_id:
            self.initial["person"] = str(self.instance.person_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("person")
            and not data.get("organization")
            and not self.errors.get("person")
        ):
            raise forms.ValidationError("A deal is with a person or an organization: name one.")
        return data

    def _post_clean(self) -> None:
        # Model validation runs in the service, which reports errors per field.
        pass


STATUS_CHOICES = [("", "Any status"), (REVENUE, "Counted as revenue"), *OrderStatus.choices]


class OrderFilterForm(forms.Form):
    start = forms.DateField(required=False, label="From")
    end = forms.DateField(required=False, label="To")
    currency = forms.RegexField(
        required=False, regex=r"^[A-Za-z]{3}$", max_length=3,
        error_messages={"invalid": "A currency is a three-letter code such as USD."},
    )  # fmt: skip
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    channel = forms.ChoiceField(
        required=False, choices=[("", "Any channel"), *SalesChannel.choices], label="Sold through"
    )
    person = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").upper()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end must be on or after the start.")
        return data
