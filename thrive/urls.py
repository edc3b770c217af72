from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from thrive.core import views as core_views

admin.site.site_header = "Thrive administration"
admin.site.site_title = "Thrive"
admin.site.index_title = "The business at a glance"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
