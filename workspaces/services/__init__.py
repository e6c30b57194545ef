"""The write side of workspaces: one function per user action."""
