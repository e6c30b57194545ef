"""Who may see or do what in the open-innovation funnel: pure functions of a user and
an object, one module per area, re-exported here."""

from .suggestions import (  # noqa: F401
    can_dismiss_suggestion,
    can_see_match,
    require_suggestions_organisation,
    suggestions_organisation,
)
