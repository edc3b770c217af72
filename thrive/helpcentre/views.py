"""The help centre's pages.

Public (no sign-in): ``/help/`` (categories, search), ``/help/<slug>/`` (an article) and its
"Was this helpful?" answer (POST, CSRF, rate limited). Staff: ``/help/manage/`` (every role
reads; owners and members write) and ``/help/suggest?q=`` (the articles that may answer a
customer's message, as JSON or an HTML fragment, for a conversation page to fetch).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.core import business
from thrive.core.public_forms import Refused, client_ip, guard, refusal
from thrive.core.roles import can_edit, role_required

from . import queries
from .forms import ArticleForm
from .models import Article
from .rendering import render_markdown
from .services import (
    FEEDBACK_PER_IP,
    FEEDBACK_PER_IP_ARTICLE,
    create_article,
    delete_article,
    record_feedback,
    update_article,
)

SEARCH_MAX = 200


def _query(request: HttpRequest, limit: int = SEARCH_MAX) -> str:
    return " ".join(request.GET.get("q", "").split())[:limit]


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    q = _query(request)
    return render(request, "helpcentre/public/index.html", {
        "q": q, "results": queries.search(q, limit=20) if q else None,
        "groups": queries.published_by_category(),
        "too_long": len(request.GET.get("q", "")) > SEARCH_MAX,
    })  # fmt: skip


def _public_article(slug: str) -> Article:
    article = Article.objects.filter(slug=slug, published=True).first()
    if article is None:
        raise Http404("No such article.")
    return article


@login_not_required
@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    item = _public_article(slug)
    related = [h for h in queries.search(item.title, limit=4) if h.pk != item.pk][:3]
    return render(request, "helpcentre/public/article.html", {
        "article": item, "body_html": render_markdown(item.body), "related": related,
    })  # fmt: skip


@login_not_required
@require_POST
def helpful(request: HttpRequest, slug: str) -> HttpResponse:
    item = _public_article(slug)
    answer = request.POST.get("helpful", "")
    if answer not in {"yes", "no"}:
        messages.error(request, "Please choose Yes or No.")
        return redirect("help_article", slug=item.slug)
    ip = client_ip(request)
    try:
        guard(request, (f"help:ip:{ip}", FEEDBACK_PER_IP),
              (f"help:ip:{ip}:{item.pk}", FEEDBACK_PER_IP_ARTICLE))  # fmt: skip
    except Refused as exc:
        return refusal(request, exc)
    record_feedback(item, helpful=answer == "yes")
    messages.success(request, "Thank you: your answer helps us improve this article.")
    return redirect("help_article", slug=item.slug)


@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    return render(request, "helpcentre/manage.html", {
        "articles": Article.objects.select_related("updated_by")[:500],
        "can_edit": can_edit(request.user),
    })  # fmt: skip


def _form_page(request: HttpRequest, form: ArticleForm, item: Article | None) -> HttpResponse:
    return render(request, "helpcentre/article_form.html", {
        "form": form, "article": item, "categories": queries.categories(),
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
@role_required("edit")
def new(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = create_article(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Article “{item.title}” saved.")
            return redirect("help_manage")
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
@role_required("edit")
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Article, pk=pk)
    initial = {"title": item.title, "category": item.category, "body": item.body,
               "slug": item.slug, "published": item.published}  # fmt: skip
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_article(item, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Article “{item.title}” saved.")
            return redirect("help_manage")
    return _form_page(request, form, item)


@require_POST
@role_required("edit")
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Article, pk=pk)
    delete_article(item, actor=request.user)
    messages.success(request, f"Article “{item.title}” deleted.")
    return redirect("help_manage")


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Articles for a customer's message: JSON by default, ``format=html`` for a list a
    page can drop in. Signed-in associates only (the middleware sends others to sign in)."""
    q = _query(request, queries.QUERY_MAX_CHARS)
    try:
        limit = max(1, min(int(request.GET.get("limit", "3")), 10))
    except ValueError:
        limit = 3
    hits = queries.suggest(q, limit=limit)
    base = business.public_url().rstrip("/")
    items = [
        {"title": h.title, "url": f"{base}/help/{h.slug}/", "path": f"/help/{h.slug}/",
         "category": h.category, "score": h.score, "excerpt": h.excerpt}
        for h in hits
    ]  # fmt: skip
    if request.GET.get("format") == "html":
        return render(request, "helpcentre/_suggestions.html", {"items": items, "q": q})
    return JsonResponse({"query": q, "articles": items})
