"""Adding and changing deals (included under ``deals/``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("new/", views.deal_new, name="deal_new"),
    path("<int:pk>/edit/", views.deal_edit, name="deal_edit"),
]
