from django.urls import path

from . import views

urlpatterns = [
    path("", views.imports, name="imports"),
    path("<int:pk>/", views.job_page, name="import_job"),
    path("<int:pk>/map/", views.mapping, name="import_mapping"),
    path("<int:pk>/status/", views.job_status, name="import_status"),
    path("<int:pk>/run/", views.run, name="import_run"),
    path("<int:pk>/undo/", views.undo, name="import_undo"),
    path("<int:pk>/rejected.csv", views.rejected_csv, name="import_rejected"),
]
