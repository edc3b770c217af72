"""Reading one raw email into what the inbox needs, without trusting any of it.

The stdlib parser (``policy=default``) copes with most damage by itself and lists what it
found in ``defects``; those are kept as the message's problems. Text is decoded with the
declared charset, falling back to UTF-8 with replacement so a wrong label never raises.
HTML is sanitised with nh3 (Ammonia's allow-list) before it is stored, and images or
scripts that would load from elsewhere are stripped with it.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

import nh3

MSGID = re.compile(r"<[^<>\s]+>")
# RFC 3834 and the conventions older responders use instead.
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    from_name: str = ""
    from_address: str = ""
    to_addresses: list[str] = field(default_factory=list)
    subject: str = ""
    date: object = None
    text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    automatic: str = ""
    bounce: bool = False
    problems: list[str] = field(default_factory=list)


class Unparseable(ValueError):
    """The bytes are not an email the inbox can file (no sender, not even headers)."""


def message_ids(value: str | None) -> list[str]:
    return MSGID.findall(str(value or ""))


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception as exc:  # noqa: BLE001 - a header too broken to decode
        raise Unparseable(f"The {name} header cannot be read: {exc}") from exc
    return " ".join(str(value).split()) if value is not None else ""


def automatic_reason(msg: Message) -> str:
    """Why a message is machine-written (RFC 3834 and common practice), or ""."""
    auto = _header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _header(msg, "Precedence").lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if msg.get(name) is not None:
            return f"{name} header"
    if _header(msg, "List-Id") or _header(msg, "List-Unsubscribe"):
        return "mailing list"
    return ""


def is_bounce(msg: Message, from_address: str) -> bool:
    if msg.get_content_type() == "multipart/report":
        return True
    local = from_address.partition("@")[0].lower()
    return local in {"mailer-daemon", "postmaster"} or not from_address


def _decode_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return payload.decode("utf-8", errors="replace")


def sanitise_html(markup: str) -> str:
    # No images: a remote image is a read receipt for whoever sent it.
    tags = set(nh3.ALLOWED_TAGS) - {"img"}
    return nh3.clean(markup, tags=tags, link_rel="noopener noreferrer nofollow")


def parse(data: bytes) -> ParsedMail:
    """Parse ``data``; raises :class:`Unparseable` naming why when nothing can be filed."""
    if not data.strip():
        raise Unparseable("The message is empty.")
    msg = email.message_from_bytes(data, policy=email.policy.default)
    if not list(msg.keys()):
        raise Unparseable("The message has no headers.")
    result = ParsedMail()
    result.problems = [type(d).__name__ for d in msg.defects]
    froms = getaddresses([_header(msg, "From")])
    if froms and froms[0][1] and "@" in froms[0][1]:
        result.from_name, result.from_address = froms[0][0], froms[0][1].lower()
    result.to_addresses = [a for _n, a in getaddresses([_header(msg, "To")]) if a]
    result.subject = _header(msg, "Subject")[:255]
    ids = message_ids(_header(msg, "Message-ID"))
    result.message_id = ids[0] if ids else ""
    replied = message_ids(_header(msg, "In-Reply-To"))
    result.in_reply_to = replied[0] if replied else ""
    result.references = message_ids(_header(msg, "References"))
    try:
        result.date = parsedate_to_datetime(_header(msg, "Date")) if msg.get("Date") else None
    except (TypeError, ValueError):
        result.problems.append("unreadable Date header")
    result.automatic = automatic_reason(msg)
    result.bounce = is_bounce(msg, result.from_address)
    if not result.from_address and not result.bounce:
        raise Unparseable("The message has no readable From address.")
    _read_body(msg, result)
    if result.bounce:
        # A bounce names the message it returns inside its report (often without an
        # In-Reply-To): those ids thread it to the conversation it belongs to.
        own = {result.message_id}
        found = [i for i in message_ids(data.decode("latin-1")) if i not in own]
        result.references = list(dict.fromkeys([*result.references, *found]))
    return result


def _read_body(msg: Message, result: ParsedMail) -> None:
    texts: list[str] = []
    htmls: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        ctype = part.get_content_type()
        if disposition == "attachment" or filename or not ctype.startswith("text/"):
            if ctype in {"message/delivery-status", "message/rfc822"} and not filename:
                texts.append(_decode_text(part) if ctype == "message/delivery-status" else "")
                continue
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            result.attachments.append(
                ParsedAttachment((filename or "attachment")[:255], ctype[:128], content)
            )
        elif ctype == "text/html":
            htmls.append(_decode_text(part))
        else:
            texts.append(_decode_text(part))
    if isinstance(msg, EmailMessage) and not texts and not htmls:
        result.problems.append("no text part")
    result.text = "\n\n".join(t for t in texts if t).strip()
    if htmls:
        result.html = sanitise_html("\n".join(htmls))
        if not result.text:
            result.text = html.unescape(nh3.clean(result.html, tags=set())).strip()
