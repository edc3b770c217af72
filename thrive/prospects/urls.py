"""Staff pages at ``reach/``: the right customers, leads and referral partners."""

from django.urls import path

from .views import staff

urlpatterns = [
    path("", staff.overview, name="reach"),
    path("refresh", staff.refresh, name="reach_refresh"),
    path("leads/", staff.leads, name="reach_leads"),
    path("fairness/", staff.fairness, name="reach_fairness"),
    path("partners/", staff.partner_list, name="reach_partners"),
    path("partners/<int:pk>/link", staff.partner_link, name="reach_partner_link"),
]
