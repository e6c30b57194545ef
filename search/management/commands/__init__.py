"""search_rebuild."""
