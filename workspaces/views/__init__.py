"""Thin HTTP adapters for workspaces, one module per area."""
