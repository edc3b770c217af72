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
from .jobs import JobKind, JobStatus, SendJob
from .portal import MagicLink
from .surveys import (
    DEFAULT_COOLDOWN_DAYS,
    DEFAULT_QUESTION,
    InviteStatus,
    Survey,
    SurveyInvite,
    SurveyResponse,
)
from .themes import ThemeMessage, ThemeRun, ThemeRunState

__all__ = [
    "ThemeMessage",
    "ThemeRun",
    "ThemeRunState",
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
    "JobKind",
    "JobStatus",
    "MagicLink",
    "SendJob",
    "Survey",
    "SurveyInvite",
    "SurveyResponse",
    "Vote",
]
