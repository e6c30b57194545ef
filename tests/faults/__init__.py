"""Faults: Redis, PostgreSQL, the disk or a client misbehaves, and nothing is lost.

Every module here is marked `faults` (and `scaleout` when it needs PostgreSQL or Redis),
starts its own services on loopback ports through tests/support/processes.py and stops
them, and is its own xdist group, so `make test` spreads the modules over its workers.
"""
