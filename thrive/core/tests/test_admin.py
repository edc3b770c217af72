"""Every model of Thrive is in the admin, and every admin list opens for the owner."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from thrive.conftest import client_for

THRIVE_APPS = {c.label for c in apps.get_app_configs() if c.name.startswith("thrive.")}
MODELS = [
    m for m in apps.get_models() if m._meta.app_label in THRIVE_APPS and not m._meta.auto_created
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_model_is_registered_in_the_admin(model):
    assert model in admin.site._registry, f"{model._meta.label} is not in the admin"


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_admin_list_opens_with_search(owner, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client_for(owner).get(
        url, {"q": "a"} if admin.site._registry[model].search_fields else {}
    )
    assert response.status_code == 200
