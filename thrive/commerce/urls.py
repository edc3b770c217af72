"""Orders: the list (what a revenue figure counts), recording one by hand and acting on one
(included under ``orders/``)."""

from django.urls import path

from . import order_list, views

urlpatterns = [
    path("", order_list.order_list, name="orders"),
    path("new/", views.order_new, name="order_new"),
    path("<int:pk>/", views.order_detail, name="order"),
    path("<int:pk>/refund", views.order_refund, name="order_refund"),
    path("<int:pk>/void", views.order_void, name="order_void"),
    path("<int:pk>/complete", views.order_complete, name="order_complete"),
]
