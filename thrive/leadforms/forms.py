"""The builder's forms (settings and one row per field) and the public form built from a
LeadForm's fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from thrive.accounts.models import Associate
from thrive.contacts.models import ConsentPurpose
from thrive.outreach.models import Sequence

from .fields import form_field as make_field
from .fields import target_choices, targets
from .models import LeadForm

CONSENT_PREFIX = "consent_"


class FormSettingsForm(forms.ModelForm):
    class Meta:
        model = LeadForm
        fields = ["name", "slug", "intro", "button_label", "thank_you_text", "redirect_url",
                  "sequence", "tags", "notify", "is_active"]  # fmt: skip
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 2}),
            "thank_you_text": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "sequence": "Enrol in the sequence",
            "notify": "Notify this associate",
            "is_active": "Open (takes answers)",
            "thank_you_text": "Thank-you text",
            "redirect_url": "Redirect to",
        }
        help_texts = {
            "thank_you_text": "Shown after someone submits (unless a redirect is set).",
            "sequence": "A marketing sequence starts once the person confirms by email.",
            "notify": "Gets a task and an email for each answer.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sequence = cast(forms.ModelChoiceField, self.fields["sequence"])
        notify = cast(forms.ModelChoiceField, self.fields["notify"])
        sequence.queryset = Sequence.objects.order_by("name")
        notify.queryset = Associate.objects.filter(is_active=True).order_by(
            "first_name", "username"
        )
        self.fields["redirect_url"].error_messages["invalid"] = (
            "Enter a full web address starting with http:// or https://."
        )
        texts = (self.instance.consent_texts or {}) if self.instance.pk else {}
        for purpose in ConsentPurpose:
            self.fields[f"{CONSENT_PREFIX}{purpose.value}"] = forms.CharField(
                label=f"Consent box: {purpose.label.lower()}", required=False,
                max_length=500, initial=texts.get(purpose.value, ""),
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="The words beside the tick box. Leave empty not to ask.",
            )  # fmt: skip

    def settings(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["consent_texts"] = {
            p.value: self.cleaned_data[f"{CONSENT_PREFIX}{p.value}"] for p in ConsentPurpose
        }
        return data


class FieldRowForm(forms.Form):
    target = forms.ChoiceField(label="Asks for", required=False)
    label = forms.CharField(label="Label", required=False, max_length=120)
    required = forms.BooleanField(label="Required", required=False)
    help_text = forms.CharField(label="Hint", required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target = cast(forms.ChoiceField, self.fields["target"])
        target.choices = [("", "— (not on the form)"), *target_choices()]


FieldRows = forms.formset_factory(FieldRowForm, extra=3, max_num=40, absolute_max=40)


def rows_of(formset: Any) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in formset.forms
            if getattr(f, "cleaned_data", None) and f.cleaned_data.get("target")]  # fmt: skip


def public_form(lead_form: LeadForm, data: Any = None) -> forms.Form:
    """The visitor's form: one field per question, then the consent boxes."""
    known = targets()
    form = forms.Form(data)
    form.targets = {}  # type: ignore[attr-defined]
    for row in lead_form.fields.all():
        target = known.get(row.target)
        if target is None:  # a custom field deleted since the form was built
            continue
        form.fields[target.input_name] = make_field(
            target, label=row.label, required=row.required, help_text=row.help_text
        )
        form.targets[target.input_name] = row.target  # type: ignore[attr-defined]
    needed = lead_form.sequence.purpose if lead_form.sequence is not None else None
    for purpose, text in lead_form.consent_texts.items():
        if text:
            form.fields[f"{CONSENT_PREFIX}{purpose}"] = forms.BooleanField(
                label=text, required=purpose == needed,
                error_messages={"required": "Tick this box to get the emails you asked for."},
            )  # fmt: skip
    return form


def answers_of(form: forms.Form) -> tuple[dict[str, Any], set[str]]:
    """(target → answer, purposes ticked) from a valid public form."""
    names: dict[str, str] = form.targets  # type: ignore[attr-defined]
    answers = {target: form.cleaned_data.get(name) for name, target in names.items()}
    consents = {name[len(CONSENT_PREFIX):] for name, value in form.cleaned_data.items()
                if name.startswith(CONSENT_PREFIX) and value}  # fmt: skip
    return answers, consents


def input_name(target: str) -> str:
    return target.replace("custom:", "cf_")
