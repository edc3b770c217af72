from django.urls import path

from . import views

urlpatterns = [
    path("", views.data_home, name="data"),
    path("export/segment/<int:pk>.csv", views.export_segment, name="data_export_segment"),
    path("export/<str:kind>.csv", views.export_csv, name="data_export"),
    path("backup/", views.backup_start, name="data_backup_start"),
    path("backup/<int:pk>/status", views.backup_status, name="data_backup_status"),
    path("backup/<int:pk>/download", views.backup_download, name="data_backup_download"),
    path("erase/<int:pk>/", views.erase, name="data_erase"),
]
