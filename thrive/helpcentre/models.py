"""The business's own FAQ: articles customers read at ``/help/`` without signing in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

TITLE_MAX = 140
BODY_MAX = 20_000
CATEGORY_MAX = 60


class Article(models.Model):
    """One help article. The body is Markdown (blank line for a new paragraph, ``-`` for a
    list, ``**bold**``); it is rendered and sanitised on display, never stored as HTML."""

    title = models.CharField(max_length=TITLE_MAX)
    slug = models.SlugField(max_length=80, unique=True)
    body = models.TextField(max_length=BODY_MAX)
    category = models.CharField(
        max_length=CATEGORY_MAX, blank=True, help_text="Articles are grouped by it on /help/."
    )
    published = models.BooleanField(
        default=False, help_text="Only published articles are public and suggested."
    )
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["category", "title", "id"]
        indexes = [models.Index(fields=["published", "category"], name="help_published_idx")]

    def __str__(self) -> str:
        return self.title
