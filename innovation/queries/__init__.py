"""Reads of the innovation app: visibility-filtered querysets and page contexts."""
