"""The orders list: filter by dates, currency, status and sales channel; see the count and
the sums per currency. Read-only (GET); every signed-in associate may look."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import queries
from .forms import OrderFilterForm
from .models import Order

PAGE_SIZE = 50


@require_safe
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else None
    orders = queries.orders_matching(filters) if filters is not None else Order.objects.none()
    page = Paginator(orders.select_related("person"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "commerce/order_list.html",
        {
            "form": form,
            "page": page,
            "totals": queries.totals_by_currency(orders),
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )
