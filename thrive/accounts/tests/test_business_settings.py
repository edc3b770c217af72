"""The business's settings: one reader answers each value, the server's environment wins,
then the owner's settings page, then the built-in default; every change is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thrive.accounts import services
from thrive.accounts.models import Business, SettingChange
from thrive.core import business
from thrive.outreach import conf

pytestmark = pytest.mark.django_db


def test_with_nothing_set_every_value_is_the_built_in_default(monkeypatch):
    for name in ("THRIVE_PUBLIC_URL", "THRIVE_SERVED_URL", "THRIVE_QUIET_HOURS"):
        monkeypatch.delenv(name, raising=False)
    assert business.name() == "Thrive"
    assert business.time_zone_name() == "UTC"
    assert business.currency() == "USD"
    assert business.public_url() == "http://localhost:8000"
    assert business.from_header() == "Thrive <thrive@localhost>"
    assert business.reply_to() == []
    assert conf.quiet_hours() == (dt.time(20), dt.time(8))
    assert conf.max_automated_per_week() == 2


def test_the_owners_settings_are_used_where_the_server_sets_nothing(owner, monkeypatch):
    for name in ("THRIVE_PUBLIC_URL", "THRIVE_SERVED_URL", "THRIVE_QUIET_HOURS"):
        monkeypatch.delenv(name, raising=False)
    services.update_business_settings(
        actor=owner,
        values={
            "name": "Kettle & Crow", "time_zone": "Europe/Berlin", "currency": "EUR",
            "public_url": "https://crm.kettle.example", "sender_name": "Kettle & Crow Team",
            "sender_email": "hello@kettle.example", "reply_to": "ann@kettle.example",
            "quiet_hours_start": dt.time(21), "quiet_hours_end": dt.time(7),
            "max_automated_per_week": 4,
        },
    )  # fmt: skip
    assert business.name() == "Kettle & Crow"
    assert conf.business_zone_name() == "Europe/Berlin"
    assert business.currency() == "EUR"
    assert conf.public_url() == "https://crm.kettle.example"
    assert business.from_header() == "Kettle & Crow Team <hello@kettle.example>"
    assert business.reply_to() == ["ann@kettle.example"]
    assert conf.quiet_hours() == (dt.time(21), dt.time(7))
    assert conf.max_automated_per_week() == 4
    assert business.currency_setting().source == business.STORED


def test_the_environment_wins_over_the_owners_settings(owner, settings, monkeypatch):
    Business.objects.create(
        name="Kettle & Crow", time_zone="Europe/Berlin", currency="EUR",
        public_url="https://crm.kettle.example", sender_email="hello@kettle.example",
        quiet_hours_off=True, max_automated_per_week=4,
    )  # fmt: skip
    monkeypatch.setenv("THRIVE_TIME_ZONE", "America/Chicago")
    monkeypatch.setenv("THRIVE_QUIET_HOURS", "22:00-06:00")
    settings.THRIVE_CURRENCY = "CAD"
    settings.THRIVE_PUBLIC_URL = "https://public.example/"
    settings.DEFAULT_FROM_EMAIL = "Ops <ops@server.example>"
    settings.THRIVE_MAX_AUTOMATED_PER_WEEK = 9
    assert business.time_zone_name() == "America/Chicago"
    assert business.time_zone_setting().source == business.SERVER
    assert business.currency() == "CAD"
    assert conf.public_url() == "https://public.example"
    assert conf.quiet_hours() == (dt.time(22), dt.time(6))
    assert conf.max_automated_per_week() == 9
    # The server fixes the address; the name stays the business's own.
    assert business.from_header() == "Kettle & Crow <ops@server.example>"


def test_settings_py_defines_the_business_values_only_when_the_environment_sets_them():
    # Otherwise "a Django setting wins" would always be true and the page could never win.
    from django.conf import settings

    import thrive.settings as module

    for name in ("THRIVE_TIME_ZONE", "THRIVE_CURRENCY", "THRIVE_BUSINESS_NAME"):
        assert hasattr(module, name) == bool(__import__("os").environ.get(name, "").strip())
    assert not hasattr(module, "DEFAULT_FROM_EMAIL") or __import__("os").environ.get(
        "DEFAULT_FROM_EMAIL"
    )
    assert settings.is_overridden("DEFAULT_FROM_EMAIL") == hasattr(module, "DEFAULT_FROM_EMAIL")


def test_public_address_the_environment_then_the_owner_then_served_then_localhost(
    owner, monkeypatch
):
    monkeypatch.delenv("THRIVE_PUBLIC_URL", raising=False)
    monkeypatch.setenv("THRIVE_SERVED_URL", "http://0.0.0.0:9000")
    assert (business.public_url(), business.public_url_setting().source) == (
        "http://0.0.0.0:9000",
        business.SERVED,
    )
    services.update_business_settings(actor=owner, values={"public_url": "https://k.example"})
    assert (business.public_url(), business.public_url_setting().source) == (
        "https://k.example",
        business.STORED,
    )
    monkeypatch.setenv("THRIVE_PUBLIC_URL", "https://env.example")
    assert (business.public_url(), business.public_url_setting().source) == (
        "https://env.example",
        business.SERVER,
    )
    monkeypatch.delenv("THRIVE_PUBLIC_URL")
    monkeypatch.delenv("THRIVE_SERVED_URL")
    services.update_business_settings(actor=owner, values={"public_url": ""})
    assert business.public_url() == "http://localhost:8000"


def test_each_change_is_audited_with_who_what_from_and_to(owner):
    Business.objects.create(name="Kettle", currency="USD")
    services.update_business_settings(
        actor=owner, values={"name": "Kettle & Crow", "currency": "USD", "time_zone": "Asia/Tokyo"}
    )
    rows = {(c.actor_id, c.field, c.old_value, c.new_value) for c in SettingChange.objects.all()}
    assert rows == {
        (owner.pk, "name", "Kettle", "Kettle & Crow"),
        (owner.pk, "time zone", "", "Asia/Tokyo"),
    }


def test_only_an_owner_may_change_the_business_settings(member, read_only):
    for who in (member, read_only):
        with pytest.raises(PermissionDenied):
            services.update_business_settings(actor=who, values={"name": "Mine now"})
        with pytest.raises(PermissionDenied):
            services.dismiss_onboarding(actor=who)
    assert not Business.objects.exists() and not SettingChange.objects.exists()


def test_a_bad_value_saves_nothing(owner):
    Business.objects.create(name="Kettle")
    with pytest.raises(ValidationError) as caught:
        services.update_business_settings(
            actor=owner, values={"name": "Changed", "currency": "XXX", "brand_colour": "red"}
        )
    assert set(caught.value.error_dict) == {"currency", "brand_colour"}
    assert Business.objects.get().name == "Kettle" and not SettingChange.objects.exists()


def test_the_row_is_read_once_per_request_not_once_per_value(owner, django_assert_num_queries):
    Business.objects.create(name="Kettle", time_zone="Europe/Paris", currency="EUR")
    business.clear_cache()
    with django_assert_num_queries(1):
        for _ in range(3):
            business.name(), business.time_zone_name(), business.currency(), business.from_header()


def test_an_associates_blank_zone_follows_the_business(owner):
    Business.objects.create(name="Kettle", time_zone="Europe/Lisbon")
    assert owner.time_zone == ""
    assert business.associate_zone_name(owner) == "Europe/Lisbon"
    [change] = services.update_own_profile(actor=owner, time_zone="Asia/Tokyo")
    owner.refresh_from_db()
    assert owner.time_zone == "Asia/Tokyo" and business.associate_zone_name(owner) == "Asia/Tokyo"
    assert (change.field, change.old_value, change.new_value) == (
        "time zone",
        "(the business's zone)",
        "Asia/Tokyo",
    )
    with pytest.raises(ValidationError):
        services.update_own_profile(actor=owner, time_zone="Mars/Olympus")


def test_the_migration_turns_the_old_utc_default_into_following_the_business(owner, member):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "thrive.accounts.migrations.0004_business_settings_and_their_audit"
    )
    from thrive.accounts.models import Associate

    Associate.objects.filter(pk=owner.pk).update(time_zone="UTC")
    Associate.objects.filter(pk=member.pk).update(time_zone="Europe/Rome")
    migration.utc_means_the_business_zone(apps, None)
    zones = dict(Associate.objects.values_list("pk", "time_zone"))
    assert zones == {owner.pk: "", member.pk: "Europe/Rome"}
