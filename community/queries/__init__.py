"""The read side: visibility-filtered querysets with the joins each page needs."""

from .accounts import *  # noqa: F403
from .communities import *  # noqa: F403
from .organisations import *  # noqa: F403
from .posts import *  # noqa: F403
from .rooms import *  # noqa: F403
from .threads import *  # noqa: F403
