"""The deal pipeline: the board, adding, changing and moving deals (included under
``deals/``)."""

from django.urls import path

from . import deal_views, views

urlpatterns = [
    path("", deal_views.deal_board_view, name="deal_board"),
    path("new/", views.deal_new, name="deal_new"),
    path("add/", deal_views.deal_quick_add, name="deal_quick_add"),
    path("forecast/", deal_views.deal_forecast_view, name="deal_forecast"),
    path("attention/", deal_views.deal_attention, name="deal_attention"),
    path("stages/", deal_views.deal_stages, name="deal_stages"),
    path("stages/<int:pk>/", deal_views.deal_stage_edit, name="deal_stage_edit"),
    path("reasons/", deal_views.deal_reason_add, name="deal_reason_add"),
    path("reasons/<int:pk>/remove/", deal_views.deal_reason_remove, name="deal_reason_remove"),
    path("<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("<int:pk>/move/", deal_views.deal_move, name="deal_move"),
    path("<int:pk>/next-step/", deal_views.deal_next_step, name="deal_next_step"),
    path("<int:pk>/order/", deal_views.deal_order, name="deal_order"),
]
