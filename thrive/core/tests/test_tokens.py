import pytest
from django.core import signing

from thrive.core.tokens import TokenError, make_token, read_token


def test_a_token_round_trips_for_its_purpose():
    token = make_token("unsubscribe", {"person": 7})
    assert read_token("unsubscribe", token, max_age_seconds=60) == {"person": 7}


def test_a_token_for_one_purpose_does_not_open_another():
    token = make_token("unsubscribe", {"person": 7})
    with pytest.raises(TokenError, match="not valid"):
        read_token("portal", token, max_age_seconds=60)


def test_a_tampered_token_is_refused():
    token = make_token("portal", {"person": 7})
    with pytest.raises(TokenError):
        read_token("portal", token[:-2] + "xx", max_age_seconds=60)


def test_an_expired_token_is_refused(monkeypatch):
    token = make_token("portal", {"person": 7})
    real_loads = signing.loads
    monkeypatch.setattr(signing, "loads", lambda *a, **kw: real_loads(*a, **{**kw, "max_age": -1}))
    with pytest.raises(TokenError, match="expired"):
        read_token("portal", token, max_age_seconds=60)
