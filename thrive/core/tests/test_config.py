"""Configuration from the environment, and production settings that pass check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from thrive.core.config import ConfigError, env_bool, mailer_settings

ROOT = Path(__file__).resolve().parents[3]


def test_smtp_url_becomes_mailer_options():
    mailer = mailer_settings("smtp://ann%40shop:s%3Dcret@mail.example.com:2525?tls=1&timeout=5")
    assert mailer["BACKEND"].endswith("smtp.EmailBackend")
    assert mailer["OPTIONS"] == {
        "host": "mail.example.com", "port": 2525, "username": "ann@shop", "password": "s=cret",
        "use_ssl": False, "use_tls": True, "timeout": 5,
    }  # fmt: skip


def test_smtps_defaults_to_port_465_and_console_needs_no_options():
    assert mailer_settings("smtps://h")["OPTIONS"]["port"] == 465
    assert mailer_settings("console:") == {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
    }


@pytest.mark.parametrize("url", ["ftp://x", "smtp://h:notaport"])
def test_bad_email_urls_are_refused_with_a_message(url):
    with pytest.raises(ConfigError, match="EMAIL_URL"):
        mailer_settings(url)


def test_booleans_must_be_booleans(monkeypatch):
    monkeypatch.setenv("DEBUG", "perhaps")
    with pytest.raises(ConfigError, match="DEBUG"):
        env_bool("DEBUG", default=False)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests allow async-unsafe calls in their own process; a deployment never does.
    drop = {"SECRET_KEY", "DEBUG", "THRIVE_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_production_settings_pass_check_deploy(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        THRIVE_ENV="production", SECRET_KEY="k" * 20 + "-Z8q!xP2#vL9@mR4$tW7^yB1&nC6*dF3",
        ALLOWED_HOSTS="thrive.example.com", THRIVE_DATA_DIR=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", THRIVE_ENV="production", THRIVE_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_a_trusted_proxy_becomes_waitress_options(monkeypatch):
    from thrive.core.config import trusted_proxy

    monkeypatch.delenv("THRIVE_TRUSTED_PROXY", raising=False)
    assert trusted_proxy() == {}
    monkeypatch.setenv("THRIVE_TRUSTED_PROXY", "127.0.0.1")
    assert trusted_proxy() == {
        "trusted_proxy": "127.0.0.1",
        "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto",
        "trusted_proxy_count": 1,
    }
    monkeypatch.setenv("THRIVE_TRUSTED_PROXY_HEADERS", "X-Forwarded-For, x-forwarded-host")
    monkeypatch.setenv("THRIVE_TRUSTED_PROXY_COUNT", "2")
    options = trusted_proxy()
    assert options["trusted_proxy_headers"] == "x-forwarded-for x-forwarded-host"
    assert options["trusted_proxy_count"] == 2


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"THRIVE_TRUSTED_PROXY": "127.0.0.1", "THRIVE_TRUSTED_PROXY_HEADERS": "x-real-ip"},
         "x-real-ip"),
        ({"THRIVE_TRUSTED_PROXY": "127.0.0.1", "THRIVE_TRUSTED_PROXY_COUNT": "0"},
         "THRIVE_TRUSTED_PROXY_COUNT"),
        ({"THRIVE_TRUSTED_PROXY_HEADERS": "x-forwarded-for"}, "need THRIVE_TRUSTED_PROXY"),
    ],
)  # fmt: skip
def test_proxy_settings_that_cannot_work_are_refused_with_a_reason(monkeypatch, env, message):
    from thrive.core.config import trusted_proxy

    for name in ("THRIVE_TRUSTED_PROXY", "THRIVE_TRUSTED_PROXY_HEADERS",
                 "THRIVE_TRUSTED_PROXY_COUNT"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        trusted_proxy()


@pytest.mark.slow
def test_the_old_proxy_header_setting_without_a_trusted_proxy_is_refused(tmp_path):
    # Alone it made every https request redirect to itself: say what is missing instead.
    result = run_manage(
        "check", THRIVE_ENV="production", SECRET_KEY="k" * 50, ALLOWED_HOSTS="crm.example.com",
        SECURE_PROXY_SSL_HEADER="true", THRIVE_DATA_DIR=str(tmp_path),
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER needs THRIVE_TRUSTED_PROXY" in result.stderr
