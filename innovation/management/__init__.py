"""Management commands of the innovation funnel."""
