"""The settings page (owners only), the profile page (everyone, for themselves) and the
business's logo."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from thrive.accounts.models import Associate, Business, SettingChange
from thrive.conftest import client_for
from thrive.core import business

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Kettle & Crow", "brand_colour": "#1F6F5C", "public_url": "https://crm.kettle.example/",
    "time_zone": "Europe/Berlin", "currency": "EUR", "other_currencies": "separately",
    "sender_name": "", "sender_email": "hello@kettle.example", "reply_to": "",
    "quiet_hours_start": "21:00", "quiet_hours_end": "07:00", "max_automated_per_week": "3",
}  # fmt: skip


@pytest.fixture(autouse=True)
def nothing_from_the_server(monkeypatch, settings):
    for name in ("THRIVE_PUBLIC_URL", "THRIVE_SERVED_URL", "THRIVE_QUIET_HOURS",
                 "THRIVE_TIME_ZONE", "THRIVE_CURRENCY", "THRIVE_BUSINESS_NAME"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def image(kind: str = "PNG", size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (31, 111, 92)).save(out, kind)
    return out.getvalue()


def test_members_and_read_only_associates_are_refused(member, read_only):
    for who in (member, read_only):
        client = client_for(who)
        assert client.get("/settings/").status_code == 403
        assert client.post("/settings/", VALID).status_code == 403
    assert not Business.objects.exists()


def test_the_owner_saves_the_settings_and_sees_the_change_listed(owner):
    client = client_for(owner)
    page = client.get("/settings/")
    assert page.status_code == 200
    assert '<optgroup label="Europe">' in page.text and '<option value="EUR">' in page.text
    response = client.post("/settings/", VALID)
    assert response.status_code == 302, response.text
    row = Business.objects.get()
    assert (row.name, row.brand_colour, row.public_url) == (
        "Kettle & Crow",
        "#1f6f5c",
        "https://crm.kettle.example",
    )
    assert business.time_zone_name() == "Europe/Berlin"
    page = client.get("/settings/").text
    assert "changed time zone from “blank” to “Europe/Berlin”" in page
    assert 'https://crm.kettle.example <span class="small muted">(settings page)' in page


def test_an_untouched_colour_input_leaves_the_colour_at_the_default(owner):
    page = client_for(owner).get("/settings/").text
    assert 'type="color" name="brand_colour" value="#0f766e"' in page
    client_for(owner).post("/settings/", {**VALID, "brand_colour": "#0f766e"})
    assert Business.objects.get().brand_colour == ""
    assert not SettingChange.objects.filter(field="brand colour").exists()


def test_the_first_save_lists_every_field_set_as_a_change_from_blank(owner):
    client_for(owner).post("/settings/", {"name": "Kettle", "other_currencies": "separately"})
    [change] = SettingChange.objects.all()
    assert (change.field, change.old_value, change.new_value) == ("name", "", "Kettle")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("brand_colour", "red", "six hex digits"),
        ("public_url", "ftp://crm.example", "starts with https://"),
        ("public_url", "not an address", "Enter a valid URL"),
        ("time_zone", "Mars/Olympus", "Select a valid choice"),
        ("currency", "XXX", "Select a valid choice"),
        ("sender_email", "hello@", "valid email"),
        ("quiet_hours_end", "", "both the start and the end"),
        ("max_automated_per_week", "500", "less than or equal to 50"),
        ("max_automated_per_week", "lots", "whole number"),
    ],
)
def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_saved(owner, field, value, message):
    response = client_for(owner).post("/settings/", {**VALID, field: value})
    assert response.status_code == 400
    assert message in response.text
    assert f'data-field="{field}"' in response.text
    assert not Business.objects.exists() and not SettingChange.objects.exists()


def test_a_png_logo_is_kept_and_served_to_anyone(owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    logo = SimpleUploadedFile("anything.gif", image("PNG"), content_type="image/gif")
    response = client_for(owner).post("/settings/", {**VALID, "logo": logo})
    assert response.status_code == 302, response.text
    served = Client().get("/brand/logo")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == image("PNG")
    assert Business.objects.get().logo.name == "business/logo.png"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "not a PNG, JPEG or WebP"),
        ("logo.gif", image("GIF"), "is a GIF image"),
        ("logo.png", image("PNG", (5000, 10)), "at most 4096"),
        ("logo.png", b"\x89PNG" + b"0" * (600 * 1024), "at most 512 KB"),
    ],
)  # fmt: skip
def test_an_unsafe_or_oversized_logo_is_refused(owner, settings, tmp_path, name, content, message):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile(name, content)
    response = client_for(owner).post("/settings/", {**VALID, "logo": upload})
    assert response.status_code == 400 and message in response.text
    assert not Business.objects.exists() and not list(tmp_path.rglob("*.*"))


def test_a_value_set_on_the_server_is_shown_disabled_and_cannot_be_changed(owner, settings):
    settings.THRIVE_TIME_ZONE = "America/Chicago"
    client = client_for(owner)
    page = client.get("/settings/").text
    assert "Set by THRIVE_TIME_ZONE on the server." in page
    assert '<select name="time_zone" disabled' in page
    assert '<option value="America/Chicago" selected>' in page
    assert client.post("/settings/", {**VALID, "time_zone": "Asia/Tokyo"}).status_code == 302
    assert Business.objects.get().time_zone == ""
    assert business.time_zone_name() == "America/Chicago"


def test_every_associate_sets_their_own_zone_on_their_profile(member):
    client = client_for(member)
    page = client.get("/settings/profile/")
    assert page.status_code == 200 and "The business&#x27;s zone (UTC)" in page.text
    assert "/sessions/" in page.text  # weekly hours are kept with the bookings
    assert client.post("/settings/profile/", {"time_zone": "Asia/Tokyo"}).status_code == 302
    assert Associate.objects.get(pk=member.pk).time_zone == "Asia/Tokyo"
    bad = client.post("/settings/profile/", {"time_zone": "Nowhere/Land"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.text
    assert client.post("/settings/profile/", {"time_zone": ""}).status_code == 302
    assert Associate.objects.get(pk=member.pk).time_zone == ""


def test_the_profile_edits_the_same_weekly_hours_the_bookings_use(member, read_only):
    from thrive.bookings.models import Availability

    client = client_for(member)
    page = client.get("/settings/profile/").text
    assert 'action="/sessions/hours"' in page and 'name="monday"' in page
    response = client.post(
        "/sessions/hours", {"monday": "09:00-12:00, 14:00-17:00", "next": "/settings/profile/"}
    )
    assert response.status_code == 302 and response["Location"] == "/settings/profile/"
    assert Availability.objects.filter(associate=member).count() == 2
    assert 'value="09:00-12:00, 14:00-17:00"' in client.get("/settings/profile/").text
    # Somewhere else is not a place to go back to.
    away = client.post("/sessions/hours", {"monday": "", "next": "https://evil.example/"})
    assert away["Location"] == "/sessions/"
    # A read-only associate sees their hours and no form.
    assert 'action="/sessions/hours"' not in client_for(read_only).get("/settings/profile/").text
