"""Validation of the upload form (the file itself is checked when it is read)."""

from __future__ import annotations

from pathlib import Path

from django import forms

from .mapping import PRESETS
from .models import ImportKind

ALLOWED_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".xlsx", ".xlsm"})


class UploadForm(forms.Form):
    file = forms.FileField(
        help_text="CSV (any delimiter, UTF-8 or Windows encodings) or Excel .xlsx."
    )
    kind = forms.ChoiceField(
        choices=ImportKind.choices, initial=ImportKind.PEOPLE, label="What is in it"
    )
    preset = forms.ChoiceField(
        required=False,
        label="Column preset",
        choices=[("", "Suggest from the headers")] + [(k, v[1]) for k, v in PRESETS.items()],
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("Upload a .csv, .txt, .tsv or .xlsx file.")
        return upload
