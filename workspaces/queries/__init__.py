"""The read side of workspaces: visibility-filtered querysets and page contexts."""
