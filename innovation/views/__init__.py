"""Views of the innovation app, one module per area (each owns its routes)."""
