import pytest

from thrive.accounts.models import Business
from thrive.accounts.queries import business_name
from thrive.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_business_name_is_the_environments_else_the_owners_else_thrive(settings):
    assert business_name() == "Thrive"
    Business.objects.create(name="Kettle & Crow Coffee Roasters")
    assert business_name() == "Kettle & Crow Coffee Roasters"
    settings.THRIVE_BUSINESS_NAME = "Set in the environment"
    assert business_name() == "Set in the environment"


def test_public_and_staff_pages_show_the_businesss_own_name(owner, client):
    Business.objects.create(name="Kettle & Crow Coffee Roasters")
    assert "Book a free session with Kettle &amp; Crow" in client.get("/book/").text
    assert "<h1>Kettle &amp; Crow Coffee Roasters</h1>" in client_for(owner).get("/").text
