"""Data and invariants of the community app; one module per domain area."""

from .accounts import User
from .communities import Community, Membership, NotificationLevel
from .conversation import Post, PostRevision, ReadPosition, Thread, ThreadRedirect
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
from .tags import (
    CommunityTheme,
    OrganisationCompetence,
    OrganisationInterest,
    ThreadTag,
    UserExpertise,
)

__all__ = [
    "Affiliation",
    "AuditEntry",
    "Block",
    "Community",
    "CommunityTheme",
    "HeldPost",
    "Membership",
    "ModerationNotice",
    "NotificationLevel",
    "Organisation",
    "OrganisationCompetence",
    "OrganisationInterest",
    "Post",
    "PostRevision",
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
