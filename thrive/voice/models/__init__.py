from .ideas import (
    BODY_MAX,
    COMMENT_MAX,
    IMPORTANCE_RANK,
    TITLE_MAX,
    Comment,
    Idea,
    IdeaMerge,
    IdeaStatus,
    IdeaStatusChange,
    Importance,
    Vote,
)
from .portal import MagicLink, RateCounter
from .surveys import (
    DEFAULT_COOLDOWN_DAYS,
    DEFAULT_QUESTION,
    InviteStatus,
    Survey,
    SurveyInvite,
    SurveyResponse,
)

__all__ = [
    "BODY_MAX",
    "COMMENT_MAX",
    "DEFAULT_COOLDOWN_DAYS",
    "DEFAULT_QUESTION",
    "IMPORTANCE_RANK",
    "TITLE_MAX",
    "Comment",
    "Idea",
    "IdeaMerge",
    "IdeaStatus",
    "IdeaStatusChange",
    "Importance",
    "InviteStatus",
    "MagicLink",
    "RateCounter",
    "Survey",
    "SurveyInvite",
    "SurveyResponse",
    "Vote",
]
