"""The write side: one function per user action (`<entity>_<verb>`), one module per area.

Import the module, not the package: `from community.services import threads`, then
`threads.post_reply(...)`. Each function asks `permissions`, validates, writes inside
`transaction.atomic()`, records its `Event` in the same transaction and lets the live
engine broadcast it after commit.
"""
