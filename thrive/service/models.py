"""The shared inbox: every email kept raw first, then parsed into conversations.

A ``RawMessage`` is written before anything else is tried, so a message the parser
chokes on is still there, shown with the reason. Parsed messages belong to a
``Conversation`` with one person; replies and internal notes are messages too.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from thrive.contacts.models import Activity, Person
from thrive.tasks.models import Task


class RawStatus(models.TextChoices):
    RECEIVED = "received", "Received, not parsed yet"
    PARSED = "parsed", "Parsed"
    FAILED = "failed", "Could not be parsed"
    SET_ASIDE = "set_aside", "Kept, not filed"


class RawMessage(models.Model):
    """Exactly the bytes that arrived, kept whatever happens to them next."""

    received_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16, help_text="lmtp, smtp, imap or demo.")
    envelope_from = models.CharField(max_length=320, blank=True)
    recipients = models.TextField(blank=True)
    data = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=RawStatus.choices, default=RawStatus.RECEIVED)
    error = models.TextField(blank=True, help_text="Why it could not be parsed.")

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"Raw message {self.pk} ({self.get_status_display()})"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Conversation(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="conversations")
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="conversations",
    )  # fmt: skip
    tags = models.CharField(max_length=255, blank=True, help_text="Comma-separated.")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # SLA deadlines (business hours counted in), set when the conversation opens or its
    # priority changes; the breach check makes at most one task per deadline.
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    # The resolution clock stops while the conversation waits on the customer (as help desks
    # count "requester wait time"): when the wait began, and the business minutes of earlier
    # waits, which a priority change adds back when it sets the deadline again.
    waiting_since = models.DateTimeField(null=True, blank=True)
    sla_paused_minutes = models.PositiveIntegerField(default=0)
    first_response_task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Collision warning: who last opened the reply box, and when.
    drafting_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    drafting_at = models.DateTimeField(null=True, blank=True)
    # Claimed (a conditional update) before the automatic first answer is sent: never twice.
    auto_answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["status", "-last_message_at"])]

    def __str__(self) -> str:
        return self.subject or f"Conversation {self.pk}"

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    def first_response_breached(self, now: dt.datetime | None = None) -> bool:
        due = self.first_response_due_at
        if due is None:
            return False
        answered = self.first_response_at
        return (answered or now or timezone.now()) > due

    def resolution_breached(self, now: dt.datetime | None = None) -> bool:
        due = self.resolution_due_at
        if due is None:
            return False
        # While waiting on the customer the clock stands where the wait began.
        stopped = self.waiting_since if self.status == Status.WAITING else None
        return (self.resolved_at or stopped or now or timezone.now()) > due


class MessageKind(models.TextChoices):
    INBOUND = "inbound", "From the customer"
    OUTBOUND = "outbound", "Reply"
    NOTE = "note", "Internal note"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    raw = models.OneToOneField(
        RawMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="message"
    )
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    from_address = models.CharField(max_length=320, blank=True)
    to_addresses = models.TextField(blank=True)
    subject = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="Sanitised with nh3 before it is stored.")
    sent_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # RFC 3834: auto-replies and bounces are recorded and never answered automatically.
    automatic = models.CharField(
        max_length=32, blank=True, help_text="Why it counts as an automatic message."
    )
    bounce = models.BooleanField(default=False)
    problems = models.TextField(blank=True, help_text="What the parser noticed.")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=128)
    size = models.PositiveIntegerField()
    content = models.BinaryField(null=True, blank=True)
    skipped = models.CharField(max_length=255, blank=True, help_text="Why it was not kept.")

    def __str__(self) -> str:
        return self.filename


class CannedReply(models.Model):
    """A reply the owner keeps ready, with merge fields such as {first_name}."""

    title = models.CharField(max_length=120, unique=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "canned replies"

    def __str__(self) -> str:
        return self.title


class SlaPolicy(models.Model):
    """Targets per priority, in business minutes."""

    priority = models.CharField(max_length=16, choices=Priority.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return f"SLA {self.get_priority_display()}"


class ServiceSettings(models.Model):
    """One row: business hours for SLAs, the warning lead time, the attachment limit."""

    workdays = models.CharField(
        max_length=20, default="0,1,2,3,4", help_text="Weekday numbers, Monday is 0."
    )
    opens = models.TimeField(default=dt.time(9))
    closes = models.TimeField(default=dt.time(17))
    warn_minutes = models.PositiveIntegerField(
        default=60, help_text="A task is made this many business minutes before a breach."
    )
    max_attachment_bytes = models.PositiveIntegerField(default=10 * 1024 * 1024)
    auto_answer = models.BooleanField(
        default=False,
        help_text="Answer a new conversation at once with the help articles that may answer "
        "it, saying a person will follow up.",
    )

    class Meta:
        verbose_name_plural = "service settings"

    def __str__(self) -> str:
        return "Service settings"

    @property
    def workday_numbers(self) -> set[int]:
        return {int(d) for d in self.workdays.split(",") if d.strip().isdigit()}


class Mailbox(models.Model):
    """An IMAP mailbox Thrive polls; ``last_uid`` means nothing is fetched twice."""

    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField(default=True)
    username = models.CharField(max_length=255)
    password_sealed = models.TextField(blank=True)
    folder = models.CharField(max_length=255, default="INBOX")
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.host}/{self.folder}"


class ServiceCursor(models.Model):
    """The background tick's single pending run (claimed by a conditional update)."""

    name = models.CharField(max_length=32, unique=True)
    tick_due_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class CsatStatus(models.TextChoices):
    QUEUED = "queued", "Asked"
    SKIPPED = "skipped", "Not asked"


class CsatRequest(models.Model):
    """The one satisfaction question after a conversation is resolved (1–5)."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="csat")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=CsatStatus.choices)
    reason = models.CharField(max_length=255, blank=True, help_text="Why it was not asked.")
    delivery = models.ForeignKey(
        "outreach.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "asked_at"])]

    def __str__(self) -> str:
        return f"CSAT for conversation {self.conversation_id}"
