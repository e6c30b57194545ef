"""The single-process channel layer (no `REDIS_URL`): Channels' in-memory layer, with
its expiry sweep run at most once a second instead of on every send and receive.

Channels' `InMemoryChannelLayer` walks every channel and every group membership in
`_clean_expired()` before each `receive` and `group_send`. The hub holds one group per
stream its sockets follow (each signed-in socket follows its person's `user:<id>`
stream), so at 1,000 sockets every event paid for two walks over 1,000 groups: 8% of
the process's CPU at one event every 100 ms. Messages expire after a minute and group
memberships after a day (the hub refreshes its own), so a sweep that runs up to a
second late changes nothing anyone notices.
"""

import time

from channels.layers import InMemoryChannelLayer

SWEEP_INTERVAL = 1.0  # seconds


class InMemoryLayer(InMemoryChannelLayer):
    clock = staticmethod(time.monotonic)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_sweep = 0.0

    def _clean_expired(self):
        now = self.clock()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_INTERVAL
        super()._clean_expired()
