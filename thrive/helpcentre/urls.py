"""The help centre, included at ``help/``: public articles and the staff's editing."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="help_index"),
    path("manage/", views.manage, name="help_manage"),
    path("manage/new", views.new, name="help_new"),
    path("manage/<int:pk>/edit", views.edit, name="help_edit"),
    path("manage/<int:pk>/delete", views.delete, name="help_delete"),
    path("suggest", views.suggest, name="help_suggest"),
    path("<slug:slug>/", views.article, name="help_article"),
    path("<slug:slug>/helpful", views.helpful, name="help_helpful"),
]
