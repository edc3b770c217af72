from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from thrive.contacts import queries as contact_queries


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"ecosystem": contact_queries.ecosystem_counts()})


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: the app answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
