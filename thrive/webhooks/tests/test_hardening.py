"""Webhooks refused for a private address fail at once; the target is resolved once,
every address checked and the checked one connected to (Host and TLS name kept);
signing secrets are encrypted at rest."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import override_settings

from thrive.contacts.services import create_person
from thrive.core.outbound import AddressRefused, Target, is_internal, post_to, resolve_target
from thrive.webhooks import services
from thrive.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from thrive.webhooks.signing import verify
from thrive.webhooks.vault import SecretUnreadable, seal, unseal

from .test_delivery import Receiver


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "::1", "10.1.2.3", "192.168.0.1", "172.16.5.5", "169.254.169.254",
     "100.64.0.1", "0.0.0.0", "::ffff:127.0.0.1", "fd00::1", "fe80::1%eth0", "224.0.0.1"],  # noqa: S104
)  # fmt: skip
def test_internal_addresses_are_recognised(address):
    assert is_internal(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111"])
def test_public_addresses_are_not_internal(address):
    assert not is_internal(address)


def test_a_name_resolving_to_loopback_is_refused(monkeypatch):
    monkeypatch.delenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE", raising=False)
    with pytest.raises(AddressRefused, match="localhost is a private or local address"):
        resolve_target("http://localhost:8000/hook")


def test_the_target_is_resolved_once_into_checked_addresses(monkeypatch):
    monkeypatch.setenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE", "1")
    target = resolve_target("http://localhost:8000/hook?x=1")
    assert target.host == "localhost" and target.port == 8000 and target.path == "/hook?x=1"
    assert set(target.addresses) <= {"127.0.0.1", "::1"} and target.addresses


@pytest.mark.django_db
def test_a_delivery_to_a_private_address_fails_at_once_without_retries(owner, monkeypatch):
    monkeypatch.setenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE", "1")
    with Receiver([]) as receiver:
        services.create_subscription(actor=owner, url=receiver.url,
                                     event_types=["person.created"])  # fmt: skip
        create_person(actor=owner, first_name="Lia")
        services.read_log()
        # The address turned private after subscribing (or the setting was lifted).
        monkeypatch.delenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE")
        counts = services.send_due()
    delivery = WebhookDelivery.objects.get()
    assert counts == {DeliveryStatus.FAILED: 1}
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "private or local address" in delivery.last_response
    assert receiver.received == []
    later = delivery.next_try_at + dt.timedelta(days=1)
    assert services.send_due(now=later) == {}


@pytest.mark.django_db
def test_a_delivery_keeps_the_host_name_in_the_host_header(owner, monkeypatch):
    monkeypatch.setenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE", "1")
    with Receiver([]) as receiver:
        url = receiver.url.replace("127.0.0.1", "localhost")
        made = services.create_subscription(actor=owner, url=url, event_types=["person.created"])
        create_person(actor=owner, first_name="Host")
        services.run_webhooks()
    headers, body = receiver.received[0]
    assert headers["Host"] == url.split("/")[2]
    assert verify(made.secret, body, headers["Thrive-Signature"])


def _certificate(name: str, folder) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))  # fmt: skip
    return str(cert_path), str(key_path)


def test_https_goes_to_the_checked_address_with_the_original_tls_name_and_host(tmp_path):
    name = "hooks.example.test"
    cert, key = _certificate(name, tmp_path)
    seen: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
            self.rfile.read(int(self.headers["Content-Length"]))
            seen["host"] = self.headers["Host"]
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server_context.sni_callback = lambda sock, sni, ctx: seen.__setitem__("sni", sni)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        client_context = ssl.create_default_context(cafile=cert)
        # The name does not resolve here: only the pinned address is ever connected to.
        target = Target("https", name, port, ("127.0.0.1",), "/in")
        status, _ = post_to(target, b"{}", {"Content-Type": "application/json"}, timeout=5,
                            context=client_context)  # fmt: skip
        assert status == 204
        assert seen == {"sni": name, "host": f"{name}:{port}"}
        # A certificate for another name is refused although the address is the same.
        other = Target("https", "other.example.test", port, ("127.0.0.1",), "/in")
        status, error = post_to(other, b"{}", {}, timeout=5, context=client_context)
        assert status is None and "certificate" in error.lower()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_signing_secrets_are_stored_encrypted_and_shown_once(owner, monkeypatch):
    from thrive.conftest import client_for

    monkeypatch.setenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE", "1")
    page = client_for(owner).post("/webhooks/", {
        "url": "http://127.0.0.1:9/hook", "event_types": ["person.created"],
    })  # fmt: skip
    subscription = WebhookSubscription.objects.get()
    secret = subscription.signing_secret()
    assert secret.startswith("whsec_") and secret in page.content.decode()
    assert secret not in subscription.encrypted_secret
    assert secret not in client_for(owner).get("/webhooks/").content.decode()


def test_a_secret_sealed_under_another_key_cannot_be_read_but_a_fallback_can():
    sealed = seal("whsec_abc", secret_key="old-key-" + "z" * 40)
    with pytest.raises(SecretUnreadable, match="SECRET_KEY"):
        unseal(sealed)
    with override_settings(SECRET_KEY_FALLBACKS=["old-key-" + "z" * 40]):
        assert unseal(sealed) == "whsec_abc"


@pytest.mark.django_db
def test_a_delivery_whose_secret_cannot_be_read_fails_at_once(owner, monkeypatch):
    monkeypatch.setenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE", "1")
    with Receiver([]) as receiver:
        services.create_subscription(actor=owner, url=receiver.url,
                                     event_types=["person.created"])  # fmt: skip
        WebhookSubscription.objects.update(encrypted_secret=seal("x", secret_key="k" * 50))
        create_person(actor=owner, first_name="Key")
        services.run_webhooks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "cannot be read" in delivery.last_response
    assert receiver.received == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_secrets_kept_in_clear():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("webhooks", "0001_subscriptions_deliveries_cursor")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("webhooks", "WebhookSubscription")
    old.objects.create(url="https://example.org/h", event_types=["order.placed"],
                       secret="whsec_plain_old_secret")  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    row = WebhookSubscription.objects.get()
    assert "whsec_plain_old_secret" not in row.encrypted_secret
    assert row.signing_secret() == "whsec_plain_old_secret"
