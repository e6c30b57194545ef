"""Forms of the innovation app, one module per area."""
