"""Crocevia project configuration."""
