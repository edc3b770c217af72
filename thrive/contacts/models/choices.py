"""The states and kinds of the ecosystem, as TextChoices."""

from django.db import models


class Stage(models.TextChoices):
    """Where a person stands with the business. Ordered along the funnel; LOST ends it."""

    SUSPECT = "suspect", "Suspect"
    PROSPECT = "prospect", "Prospect"
    CLIENT = "client", "Client"
    ADVOCATE = "advocate", "Advocate"
    LOST = "lost", "Lost"


FUNNEL_ORDER = [Stage.SUSPECT, Stage.PROSPECT, Stage.CLIENT, Stage.ADVOCATE]


class StageCause(models.TextChoices):
    MANUAL = "manual", "Changed by an associate"
    IMPORT = "import", "Import"
    ORDER = "order", "Order"
    AUTOMATION = "automation", "Automation"
    SURVEY = "survey", "Survey answer"
    MERGE = "merge", "Merge of two records"
    BOOKING = "booking", "Booked a strategy session"


class RelationshipRole(models.TextChoices):
    ASSOCIATE = "associate", "Associate (staff)"
    VENDOR = "vendor", "Vendor"
    PARTNER = "partner", "Partner"
    REFERRAL_PARTNER = "referral_partner", "Referral partner"


class ActivityKind(models.TextChoices):
    EMAIL = "email", "Email"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    STRATEGY_SESSION = "strategy_session", "Strategy session"
    NOTE = "note", "Note"
    ORDER = "order", "Order"
    SUPPORT = "support", "Support conversation"
    SURVEY_ANSWER = "survey_answer", "Survey answer"
    IDEA_VOTE = "idea_vote", "Idea vote"
    # Written for each voter when an idea's status changes; workflows listen for it.
    IDEA_STATUS = "idea_status", "Idea status change"
    FORM_SUBMISSION = "form_submission", "Form submission"
    STAGE_CHANGE = "stage_change", "Stage change"
    TAG_CHANGE = "tag_change", "Tag change"
    CONSENT_CHANGE = "consent_change", "Consent change"
    REFERRAL = "referral", "Referral"
    MERGE = "merge", "Merge"
    # A deal of theirs moved along the pipeline; the deal workflow triggers listen to it.
    DEAL = "deal", "Deal"


# Kinds that are time an associate spends with a customer (a KPI).
HUMAN_CONTACT_KINDS = frozenset(
    {ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.STRATEGY_SESSION, ActivityKind.SUPPORT}
)


class ActivityChannel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    WEB = "web", "Web"
    CHAT = "chat", "Chat"
    SMS = "sms", "SMS"
    SOCIAL = "social", "Social media"
    SYSTEM = "system", "Thrive"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"
    INTERNAL = "internal", "Internal"


class ConsentPurpose(models.TextChoices):
    EMAIL_MARKETING = "email_marketing", "Email marketing"
    SMS_MARKETING = "sms_marketing", "SMS marketing"
    PHONE_CALLS = "phone_calls", "Phone calls"
    SURVEYS = "surveys", "Surveys and feedback"
    PROFILING = "profiling", "Personalisation and analytics"


class ConsentMethod(models.TextChoices):
    WEB_FORM = "web_form", "Web form"
    DOUBLE_OPT_IN = "double_opt_in", "Double opt-in email"
    CHECKOUT = "checkout", "Checkout"
    VERBAL = "verbal", "Verbal (recorded by an associate)"
    PAPER = "paper", "Paper form"
    IMPORT = "import", "Imported"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribe link"
    PREFERENCE_CENTER = "preference_center", "Preference centre"


class CustomFieldType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    CHOICE = "choice", "Choice"


class ChurnRisk(models.TextChoices):
    """How likely a customer is to stop buying, as scored by analytics; the people list
    filters by it, so the scale lives with people."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    # Someone in the Lost stage has already gone: a risk of going does not apply.
    LOST = "lost", "Lost (not applicable)"
