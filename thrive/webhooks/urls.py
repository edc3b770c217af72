from django.urls import path

from . import views

urlpatterns = [
    path("", views.webhook_list, name="webhooks"),
    path("<int:pk>/toggle", views.webhook_toggle, name="webhook_toggle"),
    path("deliveries/<int:pk>/replay", views.delivery_replay, name="webhook_replay"),
]
