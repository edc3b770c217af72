"""The segment editor's form: validation only, no side effects."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from .rules import MAX_DEPTH, MAX_RULES, References, rules_from_text

RULES_HELP = (
    'JSON: {"match": "all" or "any", "rules": [ … ]}, each rule like '
    '{"field": "stage", "op": "in", "value": ["client"]}; groups nest up to '
    f"{MAX_DEPTH} levels, {MAX_RULES} rules in all."
)


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    rules = forms.CharField(
        label="Rules (JSON)",
        help_text=RULES_HELP,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "autocomplete": "off"}),
    )

    def __init__(
        self,
        *args: Any,
        references: References | None = None,
        previewing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Shared with the page so tags, channels and custom fields load once per request.
        self.references = references or References()
        if previewing:
            # Checking the count before naming the segment is normal, not an error.
            self.fields["name"].required = False

    @staticmethod
    def rules_text(rules: Any) -> str:
        """How stored rules are shown in the textarea."""
        return json.dumps(rules, indent=2, ensure_ascii=False)

    def clean_rules(self) -> dict[str, Any]:
        cleaned, errors = rules_from_text(self.cleaned_data["rules"], references=self.references)
        if errors:
            raise forms.ValidationError([error.message for error in errors])
        assert cleaned is not None  # noqa: S101 - no errors means cleaned rules
        return cleaned
