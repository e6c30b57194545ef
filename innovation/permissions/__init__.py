"""Who may see or do what in the open-innovation funnel (re-exported per area)."""

from .desk import *  # noqa: F401,F403
