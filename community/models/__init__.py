"""Data and invariants of the community app; one module per domain area."""

from .accounts import User
from .attachments import Attachment
from .communities import Community, Membership, NotificationLevel
from .conversation import (
    Draft,
    Post,
    PostRevision,
    ReadPosition,
    Thread,
    ThreadRedirect,
)
from .direct import Block
from .moderation import (
    AuditEntry,
    HeldPost,
    ModerationNotice,
    Report,
    ReviewItem,
    WatchedWord,
)
from .organisations import Affiliation, Organisation
from .reactions import ALLOWED_EMOJI, QUICK_EMOJI, Reaction
from .tags import (
    CommunityTheme,
    OrganisationCompetence,
    OrganisationInterest,
    ThreadTag,
    UserExpertise,
)

__all__ = [
    "ALLOWED_EMOJI",
    "QUICK_EMOJI",
    "Affiliation",
    "Attachment",
    "AuditEntry",
    "Block",
    "Community",
    "CommunityTheme",
    "Draft",
    "HeldPost",
    "Membership",
    "ModerationNotice",
    "NotificationLevel",
    "Organisation",
    "OrganisationCompetence",
    "OrganisationInterest",
    "Post",
    "PostRevision",
    "Reaction",
    "ReadPosition",
    "Report",
    "ReviewItem",
    "Thread",
    "ThreadRedirect",
    "ThreadTag",
    "User",
    "UserExpertise",
    "WatchedWord",
]
