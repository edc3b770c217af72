"""A service's ValidationError lands on the form that called it: on the named field
(renamed where the form calls it otherwise), on a line of a formset, or on top."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from thrive.core.forms import add_service_errors


class _Order(forms.Form):
    ordered_on = forms.DateField(required=False)
    note = forms.CharField(required=False)


class _Line(forms.Form):
    unit_price = forms.DecimalField(required=False)


_Lines = forms.formset_factory(_Line, extra=0)


def _lines() -> forms.BaseFormSet:
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "form-0-unit_price": "",
            "form-1-unit_price": "4"}  # fmt: skip
    lines = _Lines(data)
    lines.is_valid()
    return lines


def test_named_errors_go_on_their_fields_renamed_and_unknown_ones_on_top() -> None:
    form = _Order({})
    form.is_valid()
    exc = ValidationError({"ordered_at": ["In the future."], "currency": ["Unknown code."],
                           "note": ["Too long."]})  # fmt: skip
    add_service_errors(form, exc, rename={"ordered_at": "ordered_on"})
    assert form.errors["ordered_on"] == ["In the future."]
    assert form.errors["note"] == ["Too long."]
    assert form.non_field_errors() == ["Unknown code."]


def test_a_rename_function_and_an_unnamed_error() -> None:
    form = _Order({})
    form.is_valid()
    add_service_errors(form, ValidationError({"x.note": ["Empty."]}), rename=lambda f: f[2:])
    add_service_errors(form, ValidationError("Nothing to save."))
    assert form.errors["note"] == ["Empty."]
    assert form.non_field_errors() == ["Nothing to save."]


def test_a_line_error_goes_on_the_filled_in_line_or_on_top_with_its_number() -> None:
    form, lines = _Order({}), _lines()
    form.is_valid()
    exc = ValidationError({"lines[1].unit_price": ["Below cost."], "lines[3]": ["Gone."]})
    add_service_errors(form, exc, lines=lines)
    # Line 1 is the first filled-in line: the formset's second form.
    assert lines.forms[1].errors["unit_price"] == ["Below cost."]
    assert form.non_field_errors() == ["Line 3: Gone."]
