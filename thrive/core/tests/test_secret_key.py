"""Each install signs its public links with a key of its own; the old development key
signs nothing, and a deployment refuses to start or pass its check without a real key."""

from __future__ import annotations

import stat
import threading

import pytest
from django.core import signing
from django.test import Client

from thrive.core.config import OLD_DEVELOPMENT_KEY, ConfigError, install_secret_key
from thrive.core.tests.test_config import run_manage
from thrive.core.tokens import TokenError, read_token
from thrive.testing.factories import PersonFactory


def test_two_installs_make_two_different_keys_each_kept_private(tmp_path):
    first = install_secret_key(tmp_path / "one")
    second = install_secret_key(tmp_path / "two")
    assert first != second
    assert len(first) >= 50 and OLD_DEVELOPMENT_KEY not in {first, second}
    mode = stat.S_IMODE((tmp_path / "one" / "secret_key").stat().st_mode)
    assert mode == 0o600
    # The same install keeps its key across restarts.
    assert install_secret_key(tmp_path / "one") == first


def test_processes_starting_together_agree_on_one_key(tmp_path):
    keys: list[str] = []
    threads = [
        threading.Thread(target=lambda: keys.append(install_secret_key(tmp_path)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_an_empty_key_file_is_refused_with_its_path(tmp_path):
    (tmp_path / "secret_key").write_text("short\n")
    with pytest.raises(ConfigError, match="secret_key holds no usable key"):
        install_secret_key(tmp_path)


def test_the_running_install_does_not_use_the_old_development_key(settings):
    assert settings.SECRET_KEY != OLD_DEVELOPMENT_KEY


def test_a_token_signed_with_the_old_development_key_is_refused():
    forged = signing.dumps({"d": 1}, key=OLD_DEVELOPMENT_KEY, salt="thrive.outreach.click",
                           compress=True)  # fmt: skip
    with pytest.raises(TokenError):
        read_token("outreach.click", forged, max_age_seconds=3600)


@pytest.mark.django_db
def test_a_forged_opt_in_link_subscribes_nobody():
    from thrive.contacts.models import Consent

    person = PersonFactory(email="victim@example.com")
    payload = {"p": person.pk, "e": "victim@example.com", "pu": "email_marketing"}
    forged = signing.dumps(payload, key=OLD_DEVELOPMENT_KEY, salt="thrive.outreach.optin",
                           compress=True)  # fmt: skip
    response = Client().post(f"/m/confirm/{forged}")
    assert response.status_code == 400
    assert not Consent.objects.filter(person=person).exists()


@pytest.mark.slow
def test_a_laptop_install_starts_with_the_key_from_its_data_folder(tmp_path):
    shown = run_manage("shell", "-c", "from django.conf import settings; "
                       "print(settings.SECRET_KEY)", THRIVE_DATA_DIR=str(tmp_path))  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == (tmp_path / "secret_key").read_text().strip()


@pytest.mark.slow
def test_production_with_the_old_development_key_refuses_to_start(tmp_path):
    result = run_manage("check", THRIVE_ENV="production", SECRET_KEY=OLD_DEVELOPMENT_KEY,
                        ALLOWED_HOSTS="thrive.example.com",
                        THRIVE_DATA_DIR=str(tmp_path))  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY is a known key" in result.stderr


@pytest.mark.slow
def test_production_with_the_laptop_key_refuses_to_start(tmp_path):
    laptop = install_secret_key(tmp_path)
    result = run_manage("check", THRIVE_ENV="production", SECRET_KEY=laptop,
                        ALLOWED_HOSTS="thrive.example.com",
                        THRIVE_DATA_DIR=str(tmp_path))  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY is a known key" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("key", [OLD_DEVELOPMENT_KEY, None])
def test_check_deploy_fails_on_the_development_key_or_the_key_file(tmp_path, key):
    env = {"THRIVE_DATA_DIR": str(tmp_path), "ALLOWED_HOSTS": "thrive.example.com"}
    if key:
        env["SECRET_KEY"] = key
    result = run_manage("check", "--deploy", **env)
    assert result.returncode != 0
    assert ("thrive.E001" if key else "thrive.E002") in result.stderr + result.stdout
