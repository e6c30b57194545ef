"""Forms of the workspaces app, one module per area; the services re-check every rule."""
