from .activity import Activity, ActivityQuerySet, AppendOnlyError
from .choices import (
    FUNNEL_ORDER,
    HUMAN_CONTACT_KINDS,
    ActivityChannel,
    ActivityKind,
    ConsentMethod,
    ConsentPurpose,
    CustomFieldType,
    Direction,
    RelationshipRole,
    Stage,
    StageCause,
)
from .consent import Consent
from .fields import CustomFieldDefinition, CustomFieldEntity, validate_custom_fields
from .people import (
    AcquisitionChannel,
    MergeRecord,
    Organization,
    Person,
    PersonRole,
    PersonTag,
    Referral,
    StageChange,
    Tag,
)
from .segments import Segment

__all__ = [
    "FUNNEL_ORDER",
    "HUMAN_CONTACT_KINDS",
    "AcquisitionChannel",
    "Activity",
    "ActivityChannel",
    "ActivityKind",
    "ActivityQuerySet",
    "AppendOnlyError",
    "Consent",
    "ConsentMethod",
    "ConsentPurpose",
    "CustomFieldDefinition",
    "CustomFieldEntity",
    "CustomFieldType",
    "Direction",
    "MergeRecord",
    "Organization",
    "Person",
    "PersonRole",
    "PersonTag",
    "Referral",
    "RelationshipRole",
    "Segment",
    "Stage",
    "StageCause",
    "StageChange",
    "Tag",
    "validate_custom_fields",
]
