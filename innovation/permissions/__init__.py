"""Every rule about who may see or do what in the innovation app, one module per
area; this package re-exports them all (`from innovation import permissions`)."""

from ..anonymity import is_active_facilitator  # noqa: F401
from .challenges import *  # noqa: F401,F403  (challenges, proposals, the board)
from .desk import *  # noqa: F401,F403  (the innovation desk)
from .disclosure import *  # noqa: F401,F403  (the disclosure ladder)
from .funnel import (  # noqa: F401
    acting_organisation,
    can_see_regional_dashboard,
    funnel_origin,
    may_record_outcome,
    require_record_outcome,
    require_regional_dashboard,
)
from .offers import *  # noqa: F401,F403  (offers and interests)
from .streams import *  # noqa: F401,F403  (who follows an item's live stream)
from .suggestions import (  # noqa: F401
    can_dismiss_suggestion,
    can_see_match,
    require_suggestions_organisation,
    suggestions_organisation,
)
