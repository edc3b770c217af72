"""The shared limiter: fixed windows in the database, names THRIVE_RATE_LIMITS can
change, and a warning for a name that matches no limit."""

from __future__ import annotations

import datetime as dt

import pytest

from thrive.core.checks import rate_limit_names_are_known
from thrive.core.config import ConfigError, rate_limits
from thrive.core.ratelimit import Limit, RateLimited, forget, hit, refuse_if_over

NOON = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
THREE_A_MINUTE = Limit(3, dt.timedelta(minutes=1), "test_three_a_minute")


@pytest.mark.django_db
def test_a_key_gets_its_hits_per_window_and_again_in_the_next():
    for second in range(3):
        hit("k", THREE_A_MINUTE, now=NOON + dt.timedelta(seconds=second))
    with pytest.raises(RateLimited) as refused:
        hit("k", THREE_A_MINUTE, now=NOON + dt.timedelta(seconds=20))
    assert refused.value.retry_after == 41 and refused.value.minutes == 1
    hit("other", THREE_A_MINUTE, now=NOON + dt.timedelta(seconds=20))
    hit("k", THREE_A_MINUTE, now=NOON + dt.timedelta(minutes=1))


@pytest.mark.django_db
def test_refusing_without_counting_and_forgetting():
    for _ in range(3):
        hit("f", THREE_A_MINUTE, now=NOON)
    with pytest.raises(RateLimited):
        refuse_if_over("f", THREE_A_MINUTE, now=NOON)
    forget("f")
    refuse_if_over("f", THREE_A_MINUTE, now=NOON)


@pytest.mark.django_db
def test_thrive_rate_limits_changes_a_named_limit(settings):
    settings.THRIVE_RATE_LIMITS = {"test_three_a_minute": (1, 3600)}
    hit("n", THREE_A_MINUTE, now=NOON)
    with pytest.raises(RateLimited) as refused:
        hit("n", THREE_A_MINUTE, now=NOON + dt.timedelta(minutes=5))
    assert refused.value.retry_after == 55 * 60 + 1 and refused.value.minutes == 56


def test_the_setting_is_parsed_with_units_and_bad_items_are_named():
    assert rate_limits("join_per_ip=20/hour, sign_in_per_account=5/15min,x=2/d") == {
        "join_per_ip": (20, 3600), "sign_in_per_account": (5, 900), "x": (2, 86400),
    }  # fmt: skip
    for bad in ("join_per_ip", "join_per_ip=many/hour", "=3/h", "a=3/fortnight", "a=1/0h"):
        with pytest.raises(ConfigError, match="THRIVE_RATE_LIMITS"):
            rate_limits(bad)


def test_a_misspelt_limit_name_is_a_warning_that_lists_the_known_ones(settings):
    settings.THRIVE_RATE_LIMITS = {"join_per_ipp": (1, 60), "join_per_ip": (1, 60)}
    [warning] = rate_limit_names_are_known()
    assert "join_per_ipp" in warning.msg and "join_per_ip," in warning.hint
    settings.THRIVE_RATE_LIMITS = {"sign_in_per_account": (1, 60)}
    assert rate_limit_names_are_known() == []


def test_the_honeypot_is_hidden_by_a_class_in_the_stylesheet_not_an_inline_style():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    import thrive

    root = Path(thrive.__file__).parent
    field = (root / "templates/core/_honeypot.html").read_text()
    assert 'class="hp-field"' in field and "style" not in field
    stylesheet = finders.find("core/thrive.css")
    assert stylesheet and ".hp-field {" in Path(stylesheet).read_text()
