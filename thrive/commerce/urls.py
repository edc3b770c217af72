from django.urls import path

from . import order_list

urlpatterns = [
    path("", order_list.order_list, name="orders"),
]
