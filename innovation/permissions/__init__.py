"""Who may see or do what in the innovation app: the only place that decides it, one
module per area, re-exported."""

from .disclosure import *  # noqa: F401, F403  (the disclosure ladder)
from .funnel import (  # noqa: F401
    acting_organisation,
    can_record_outcome,
    can_see_regional_dashboard,
    funnel_origin,
    is_desk,
    require_record_outcome,
    require_regional_dashboard,
)
from .offers import *  # noqa: F401, F403  (offers and interests)
