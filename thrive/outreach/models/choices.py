"""The states and kinds of outreach, as TextChoices."""

from django.db import models

from thrive.contacts.models import ConsentPurpose

# Messages that need no marketing consent. Transactional mail (a sign-up confirmation,
# a receipt) only stops for addresses that bounce or complained; personal 1:1 mail from
# an associate also stops for people who unsubscribed.
TRANSACTIONAL = "transactional"
PERSONAL = "personal"


class MessagePurpose(models.TextChoices):
    EMAIL_MARKETING = ConsentPurpose.EMAIL_MARKETING.value, "Email marketing (needs consent)"
    SURVEYS = ConsentPurpose.SURVEYS.value, "Surveys and feedback (needs consent)"
    PERSONAL = PERSONAL, "Personal email from an associate"
    TRANSACTIONAL = TRANSACTIONAL, "Service message (needs no consent)"


CONSENT_PURPOSES = frozenset({MessagePurpose.EMAIL_MARKETING, MessagePurpose.SURVEYS})


class OnCap(models.TextChoices):
    DEFER = "defer", "Wait until the weekly budget frees up"
    SKIP = "skip", "Skip the message"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    DEFERRED = "deferred", "Deferred"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"
    BOUNCED = "bounced", "Bounced"


# Deliveries a sender may still pick up.
PENDING_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED, DeliveryStatus.SENDING)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    STOPPED = "stopped", "Stopped"


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    HARD_BOUNCE = "hard_bounce", "Hard bounce"
    COMPLAINT = "complaint", "Spam complaint"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class DraftStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    SENT = "sent", "Sent"
    DISMISSED = "dismissed", "Dismissed"
