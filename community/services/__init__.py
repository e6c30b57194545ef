"""The write side: one function per user action (`<entity>_<verb>`).

Each asks `permissions`, validates, writes inside `transaction.atomic()`, records its
`Event` in the same transaction and lets the live engine broadcast it after commit.
"""

from .accounts import *  # noqa: F403
from .communities import *  # noqa: F403
from .memberships import *  # noqa: F403
from .moderation import *  # noqa: F403
from .organisations import *  # noqa: F403
from .rooms import *  # noqa: F403
from .threads import *  # noqa: F403
