"""Input parsing for the workspaces views, one module per area; services re-check
every rule."""
