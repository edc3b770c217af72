from .campaigns import Campaign, CampaignVariant
from .choices import (
    CONSENT_PURPOSES,
    PENDING_STATUSES,
    PERSONAL,
    TRANSACTIONAL,
    CampaignStatus,
    DeliveryStatus,
    DraftStatus,
    EnrollmentStatus,
    MessagePurpose,
    OnCap,
    SuppressionReason,
)
from .deliveries import Delivery
from .drafts import Draft
from .schedule import PumpSchedule
from .sequences import Sequence, SequenceEnrollment, SequenceStep
from .suppression import Suppression
from .templates import EmailTemplate

__all__ = [
    "CONSENT_PURPOSES",
    "PENDING_STATUSES",
    "PERSONAL",
    "TRANSACTIONAL",
    "Campaign",
    "CampaignStatus",
    "CampaignVariant",
    "Delivery",
    "DeliveryStatus",
    "Draft",
    "DraftStatus",
    "EmailTemplate",
    "EnrollmentStatus",
    "MessagePurpose",
    "OnCap",
    "PumpSchedule",
    "Sequence",
    "SequenceEnrollment",
    "SequenceStep",
    "Suppression",
    "SuppressionReason",
]
