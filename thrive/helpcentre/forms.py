from __future__ import annotations

from django import forms

from .models import BODY_MAX, CATEGORY_MAX, TITLE_MAX


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX)
    category = forms.CharField(
        max_length=CATEGORY_MAX, required=False,
        help_text="E.g. Shipping, Subscriptions, Brewing. Articles are grouped by it.",
    )  # fmt: skip
    body = forms.CharField(
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Write plainly: a blank line starts a new paragraph, a line starting with "
        "“- ” is a list item, **two stars** make bold, “## ” starts a heading, "
        "[words](https://…) is a link. No HTML needed.",
    )
    slug = forms.CharField(
        max_length=80, required=False, label="Address",
        help_text="The end of the public address /help/…; made from the title when empty.",
    )  # fmt: skip
    published = forms.BooleanField(
        required=False, help_text="Published articles are public and suggested to associates."
    )
