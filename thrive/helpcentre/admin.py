"""Help articles in the admin (the help centre's own pages are where they are written)."""

from __future__ import annotations

from django.contrib import admin

from .models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "published", "updated_at", "helpful_yes", "helpful_no"]
    list_filter = ["published", "category"]
    search_fields = ["title", "body", "category"]
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ["helpful_yes", "helpful_no", "updated_by"]
