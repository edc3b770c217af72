"""Production `thrive serve` behind a real nginx terminating TLS, configured exactly as
docs/operations.md shows: https pages answer without a redirect loop, sign-in works with
secure cookies, plain http is sent to https once, and Thrive sees the client's own address."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import sqlite3
import ssl
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from .serving import REPO, clean_env, database_url, free_port, start_serve, stop, wait_for_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(path)), None
)
CLIENT = "127.0.0.5"  # the "browser": any 127/8 address is on loopback, and not the proxy's
PASSWORD = "correct-horse-battery-staple-9"  # noqa: S105 - a test account's


def _documented_servers(https_port: int, http_port: int, upstream: int, cert: Path, key: Path):
    """The nginx block from docs/operations.md, moved to this test's ports and certificate."""
    doc = (REPO / "docs" / "operations.md").read_text()
    (block,) = re.findall(r"```nginx\n(.*?)```", doc, flags=re.S)
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "server_name crm.example.com;": "server_name localhost;",
        "/etc/letsencrypt/live/crm.example.com/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/crm.example.com/privkey.pem": str(key),
        "proxy_pass http://127.0.0.1:8000;": f"proxy_pass http://127.0.0.1:{upstream};",
        # On port 443 the host alone names the https address; here the port must follow.
        "return 301 https://$host$request_uri;": f"return 301 https://$host:{https_port}$request_uri;",
    }
    for old, new in replacements.items():
        assert old in block, f"docs/operations.md's nginx block no longer has {old!r}"
        block = block.replace(old, new)
    return block


@pytest.fixture
def nginx_binary():
    if NGINX is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing: .ci/run installs nginx-light for this test")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return NGINX


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    # Collected (and compressed) once for the module: serve skips it when nothing changed.
    return tmp_path_factory.mktemp("static")


@pytest.fixture
def stack(tmp_path, nginx_binary, static_root):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: S607
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    upstream = free_port()
    env = clean_env(
        DATABASE_URL=database_url(tmp_path),
        THRIVE_DATA_DIR=str(tmp_path),
        THRIVE_ENV="production",
        SECRET_KEY="test-only-" + "Z8q!xP2#vL9@mR4$tW7^yB1&nC6*dF3-" * 2,
        ALLOWED_HOSTS="localhost",
        EMAIL_URL=f"file://{tmp_path / 'mail'}",
        THRIVE_TRUSTED_PROXY="127.0.0.1",
        STATIC_ROOT=str(static_root),
    )
    subprocess.run(  # noqa: S603 - the documented non-interactive first owner
        [sys.executable, "-m", "thrive.cli", "createsuperuser", "--noinput",
         "--username", "dana", "--email", "dana@example.com"],
        env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        cwd=REPO, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    log = tmp_path / "serve.log"
    serve = start_serve(["--port", str(upstream), "--no-worker"], env, log)
    try:
        wait_for_port(upstream, serve, log, timeout=600)
        nginx, https_port, http_port = _start_nginx(nginx_binary, tmp_path, upstream, cert, key)
    except BaseException:
        stop(serve)
        raise
    try:
        yield {"https": https_port, "http": http_port, "cert": cert, "log": log, "env": env}
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        stop(serve)


def _start_nginx(binary: str, tmp_path: Path, upstream: int, cert: Path, key: Path):
    """nginx on two free ports; tried again on others if a process elsewhere on this
    machine took one between choosing and binding it."""
    for _attempt in range(5):
        https_port, http_port = free_port(), free_port()
        conf = tmp_path / "nginx.conf"
        conf.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\n"
            f"error_log {tmp_path}/nginx-error.log;\nevents {{}}\nhttp {{\n"
            f"access_log off;\nclient_body_temp_path {tmp_path}/body;\n"
            f"proxy_temp_path {tmp_path}/proxy;\n"
            + _documented_servers(https_port, http_port, upstream, cert, key)
            + "}\n"
        )
        out = tmp_path / "nginx.out"
        nginx = subprocess.Popen(  # noqa: S603
            [binary, "-p", str(tmp_path), "-e", str(tmp_path / "nginx-error.log"),
             "-c", str(conf)],
            stdout=subprocess.DEVNULL, stderr=out.open("wb"),
        )  # fmt: skip
        try:
            wait_for_port(https_port, nginx, out, timeout=30)
            time.sleep(0.5)  # a failed bind on the other port ends nginx now
            if nginx.poll() is None:
                return nginx, https_port, http_port
        except AssertionError:
            if "Address already in use" not in out.read_text():
                raise
        stop(nginx)
    raise AssertionError("nginx found no free ports in 5 tries:\n" + out.read_text())


class Browser:
    """A minimal cookie-keeping HTTPS client connecting from the CLIENT address."""

    def __init__(self, port: int, cert: Path) -> None:
        self.port = port
        self.context = ssl.create_default_context(cafile=str(cert))
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, form: dict[str, str] | None = None):
        conn = http.client.HTTPSConnection(
            "localhost", self.port, context=self.context, source_address=(CLIENT, 0), timeout=30
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            origin = f"https://localhost:{self.port}"
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin,
                        "Referer": origin + path}  # fmt: skip
        # A client-set X-Forwarded-For must not become the address Thrive sees.
        headers["X-Forwarded-For"] = "203.0.113.77"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response, text


def _csrf(text: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)


def test_https_through_nginx_signs_in_with_secure_cookies_without_a_redirect_loop(stack):
    browser = Browser(stack["https"], stack["cert"])
    home, _ = browser.request("GET", "/")
    # Before trusted proxies this was a 301 to the very same https address, forever.
    assert home.status == 302, (home.status, home.headers.get("Location"))
    assert home.headers["Location"] == "/accounts/login/?next=/"
    assert "max-age=" in home.headers["Strict-Transport-Security"]

    page, text = browser.request("GET", "/accounts/login/")
    assert page.status == 200
    signed_in, _ = browser.request(
        "POST", "/accounts/login/",
        {"csrfmiddlewaretoken": _csrf(text), "username": "dana", "password": PASSWORD},
    )  # fmt: skip
    assert signed_in.status == 302 and signed_in.headers["Location"] == "/"
    session = [h for h in browser.set_cookie_headers if h.startswith("sessionid=")]
    assert session and all("Secure" in h and "HttpOnly" in h for h in session)
    assert all("Secure" in h for h in browser.set_cookie_headers if h.startswith("csrftoken="))

    dashboard, text = browser.request("GET", "/")
    assert dashboard.status == 200
    assert "dana" in text.lower()


def test_plain_http_is_sent_to_https_once(stack):
    conn = http.client.HTTPConnection("localhost", stack["http"], timeout=30)
    conn.request("GET", "/people/?q=ann")
    response = conn.getresponse()
    assert response.status == 301
    location = response.headers["Location"]
    assert location == f"https://localhost:{stack['https']}/people/?q=ann"
    browser = Browser(stack["https"], stack["cert"])
    followed, _ = browser.request("GET", "/people/?q=ann")
    assert followed.status == 302
    assert followed.headers["Location"].startswith("/accounts/login/")


def test_thrive_sees_the_clients_address_not_the_proxys_or_a_forged_one(stack):
    browser = Browser(stack["https"], stack["cert"])
    _, text = browser.request("GET", "/ideas/sign-in")
    answer, _ = browser.request(
        "POST", "/ideas/sign-in",
        {"csrfmiddlewaretoken": _csrf(text), "email": "reader@example.com", "next": ""},
    )  # fmt: skip
    assert answer.status == 200
    deadline = time.monotonic() + 10
    addresses: list[str] = []
    while time.monotonic() < deadline and not addresses:
        addresses = _magic_link_addresses(stack["env"]["DATABASE_URL"])
        time.sleep(0.2)
    assert addresses == [CLIENT]


def _magic_link_addresses(url: str) -> list[str]:
    from thrive.voice.models import MagicLink

    table = MagicLink._meta.db_table
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return [row[0] for row in db.execute(f"SELECT ip_address FROM {table}")]  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ip_address FROM {table}")  # noqa: S608
        return [str(row[0]) for row in cursor.fetchall()]
