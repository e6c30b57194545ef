"""Who may see or do what in the innovation funnel: one module per area, re-exported."""

from .disclosure import *  # noqa: F401, F403  (helper O: the disclosure ladder)
from .offers import *  # noqa: F401, F403  (helper O: offers and interests)
