"""Every rule about who may see or do what in the innovation app, one module per
area; this package re-exports them all (`from innovation import permissions`)."""

from ..anonymity import is_active_facilitator  # noqa: F401
from .challenges import *  # noqa: F401,F403
