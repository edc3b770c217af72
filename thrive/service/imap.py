"""Polling an IMAP mailbox into the shared inbox (stdlib ``imaplib``).

Fetching is by UID: ``last_uid`` moves forward after each message is stored, so a poll
that stops half-way resumes after the last stored one, and nothing is fetched twice. If
the server's UIDVALIDITY changes (the folder was rebuilt), UIDs mean something new and
polling starts over; the Message-ID check in :func:`services.file_raw` keeps the
already-filed messages out.
"""

from __future__ import annotations

import imaplib
from typing import Any

from django.utils import timezone

from thrive.core import sealed

from . import services
from .models import Mailbox

PASSWORD_PURPOSE = b"thrive.service.imap-password"
TIMEOUT_SECONDS = 20
BATCH = 200


def seal_password(password: str) -> str:
    return sealed.seal(password, purpose=PASSWORD_PURPOSE)


def _connect(box: Mailbox) -> imaplib.IMAP4:
    cls = imaplib.IMAP4_SSL if box.use_ssl else imaplib.IMAP4
    client = cls(box.host, box.port, timeout=TIMEOUT_SECONDS)
    password = sealed.unseal(box.password_sealed, purpose=PASSWORD_PURPOSE)
    client.login(box.username, password)
    return client


def poll(box: Mailbox) -> int:
    """Fetch the messages new since the last poll; returns how many were stored."""
    stored = 0
    client = _connect(box)
    try:
        status, data = client.select(f'"{box.folder}"', readonly=True)
        if status != "OK":
            raise imaplib.IMAP4.error(f"Cannot open folder {box.folder}: {data!r}")
        validity = _uid_validity(client)
        if validity is not None and box.uid_validity not in (None, validity):
            box.last_uid = 0
        box.uid_validity = validity
        _status, found = client.uid("search", f"UID {box.last_uid + 1}:*")
        uids = sorted(int(u) for u in (found[0] or b"").split())
        for uid in [u for u in uids if u > box.last_uid][:BATCH]:
            _status, parts = client.uid("fetch", str(uid), "(BODY.PEEK[])")
            content = _body(parts)
            if content is None:
                continue
            services.receive(content, source="imap", recipients=[box.username])
            box.last_uid = uid
            Mailbox.objects.filter(pk=box.pk).update(last_uid=uid, uid_validity=box.uid_validity)
            stored += 1
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    Mailbox.objects.filter(pk=box.pk).update(
        last_polled_at=timezone.now(), last_error="", uid_validity=box.uid_validity,
        last_uid=box.last_uid,
    )  # fmt: skip
    return stored


def current_position(box: Mailbox) -> tuple[int | None, int]:
    """Sign in and read the folder's UIDVALIDITY and highest UID (where polling starts)."""
    client = _connect(box)
    try:
        status, data = client.select(f'"{box.folder}"', readonly=True)
        if status != "OK":
            raise imaplib.IMAP4.error(f"Cannot open folder {box.folder}: {data!r}")
        validity = _uid_validity(client)
        _status, found = client.uid("search", "ALL")
        uids = [int(u) for u in (found[0] or b"").split()]
        return validity, max(uids, default=0)
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def _uid_validity(client: imaplib.IMAP4) -> int | None:
    _typ, data = client.response("UIDVALIDITY")
    if data and data[0]:
        return int(data[0])
    return None


def _body(parts: list[Any]) -> bytes | None:
    for part in parts or []:
        if isinstance(part, tuple) and len(part) >= 2 and isinstance(part[1], bytes):
            return part[1]
    return None


def poll_all() -> dict[str, int | str]:
    """Poll every active mailbox; a failing one is noted on it and does not stop others."""
    results: dict[str, int | str] = {}
    for box in Mailbox.objects.filter(active=True):
        try:
            results[str(box)] = poll(box)
        except (imaplib.IMAP4.error, OSError, sealed.Unreadable) as exc:
            Mailbox.objects.filter(pk=box.pk).update(
                last_polled_at=timezone.now(), last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            results[str(box)] = f"failed: {exc}"
    return results
