"""The real `thrive serve` in a subprocess: it keeps its background worker alive, and
Ctrl+C stops the server and the worker at once."""

from __future__ import annotations

import os
import signal
import time
import urllib.request

import pytest

from .serving import (
    alive,
    children,
    clean_env,
    database_url,
    free_port,
    start_serve,
    stop,
    wait_for_port,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float, what: str, log):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout} s:\n{log.read_text()}")


@pytest.fixture
def served(tmp_path):
    port = free_port()
    opened = tmp_path / "opened.txt"
    env = clean_env(
        DATABASE_URL=database_url(tmp_path), THRIVE_DATA_DIR=str(tmp_path),
        # A display, and a "browser" that notes the address it was asked to show.
        DISPLAY=":0", BROWSER=f"sh -c 'echo \"$0\" > {opened}' %s",
    )  # fmt: skip
    log = tmp_path / "serve.log"
    process = start_serve(["--port", str(port), "--open"], env, log)
    try:
        wait_for_port(port, process, log)
        yield process, port, log
    finally:
        for pid in children(process.pid):
            os.kill(pid, signal.SIGKILL)
        stop(process)


def test_a_killed_worker_is_replaced_and_the_restart_is_logged(served):
    process, port, log = served
    first = _wait_for(lambda: children(process.pid), 30, "no worker started", log)
    (worker,) = first
    os.kill(worker, signal.SIGKILL)
    replacement = _wait_for(
        lambda: children(process.pid) - {worker}, 15, "the dead worker was not replaced", log
    )
    assert len(replacement) == 1
    assert f"background worker (pid {worker}) stopped with exit code -9" in log.read_text()
    opened = _wait_for(
        lambda: (log.parent / "opened.txt").exists() and (log.parent / "opened.txt").read_text(),
        10, "--open showed no page", log,
    )  # fmt: skip
    assert opened.strip() == f"http://127.0.0.1:{port}"
    # The web server carried on throughout.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10) as page:
        assert page.status == 200


def test_ctrl_c_stops_the_server_and_the_worker_within_seconds(served):
    process, port, log = served
    (worker,) = _wait_for(lambda: children(process.pid), 30, "no worker started", log)
    time.sleep(1)  # let the worker reach its loop, as it would have by a person's Ctrl+C
    began = time.monotonic()
    # Ctrl+C in a terminal signals the whole foreground group: serve and its worker.
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=20)
    _wait_for(lambda: not alive(worker), 10, "the worker outlived the server", log)
    assert time.monotonic() - began < 8, log.read_text()
    assert "Thrive stopped." in log.read_text()


def test_static_files_are_collected_again_only_when_they_changed(tmp_path, settings):
    from thrive.core.management.commands.serve import collect_static_if_changed

    settings.STATIC_ROOT = tmp_path / "static"
    assert collect_static_if_changed() is True
    assert (tmp_path / "static" / "admin" / "css" / "base.css").is_file()
    assert collect_static_if_changed() is False
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    assert collect_static_if_changed() is True


def test_a_current_schema_is_not_migrated_again_at_start():
    from thrive.core.database import migrate_if_needed

    said: list[str] = []
    assert migrate_if_needed(say=said.append) == 0
    assert said == []


def test_the_browser_is_opened_only_where_a_window_can_appear(monkeypatch):
    from thrive.core.management.commands import serve

    monkeypatch.setattr(serve.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert serve.can_open_browser() is False  # a server or an SSH session: print the URL
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert serve.can_open_browser() is True
    monkeypatch.setattr(serve.sys, "platform", "darwin")
    monkeypatch.delenv("WAYLAND_DISPLAY")
    assert serve.can_open_browser() is True


def test_public_links_follow_the_served_port_below_the_environment_and_the_owners_address(
    monkeypatch, db
):
    from thrive.accounts.models import Business
    from thrive.core import business
    from thrive.core.management.commands.serve import serve_public_links_here
    from thrive.outreach.conf import public_url

    # Set first so that the test's undo removes what serve writes into the environment.
    monkeypatch.setenv("THRIVE_SERVED_URL", "")
    monkeypatch.setenv("THRIVE_PUBLIC_URL", "")
    assert public_url() == "http://localhost:8000"
    assert serve_public_links_here("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert public_url() == "http://127.0.0.1:8123"
    assert business.public_url_setting().source == business.SERVED
    Business.objects.create(name="Kettle & Crow", public_url="https://kettle.example")
    assert public_url() == "https://kettle.example"
    monkeypatch.setenv("THRIVE_PUBLIC_URL", "https://crm.example.com")
    assert serve_public_links_here("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert public_url() == "https://crm.example.com"
    assert business.public_url_setting().source == business.SERVER
