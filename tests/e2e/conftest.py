"""End-to-end tests: Debian's Chromium driven by Playwright against a live Thrive server.

Screenshots of the main pages go to ``artifacts/screens/`` (git-ignored) to look at.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

from thrive.core.testing.smtp import smtp_sink  # noqa: F401 (a fixture)

# Assertions wait as long as actions do (15 s): on a busy machine a page can take more than
# Playwright's default 5 s to answer, which says nothing about Thrive.
expect.set_options(timeout=15_000)

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server answers one request at a time. With SQLite the test database lives
    in memory and every request thread shares its one connection; two requests at once
    (a page's background preview while a form posts) can corrupt a statement on it
    ("bad parameter or other API misuse"). Connections are still accepted in threads, so
    a browser's idle keep-alive connection never blocks the next request."""

    _lock = threading.Lock()

    def set_app(self, application):  # type: ignore[no-untyped-def]
        def one_at_a_time(environ, start_response):  # type: ignore[no-untyped-def]
            with self._lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


LiveServerThread.server_class = _OneRequestAtATime

CHROMIUM = os.environ.get("THRIVE_CHROMIUM", "/usr/bin/chromium")
# Launch flags that work on this kind of machine: no sandbox as root, and no background
# traffic to hosts that the closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip
SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is not installed at {CHROMIUM}; .ci/run installs it.")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, username: str, password: str = "correct-horse-battery-staple") -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def open_section(page, section: str) -> None:  # type: ignore[no-untyped-def]
    """Open one section menu of the top bar (Customers, Reach, Listen, Grow, Data & settings)."""
    page.locator(".mainnav summary", has_text=section).click()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
