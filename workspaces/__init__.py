"""Workspaces: private project spaces where partner organisations run a collaboration."""
