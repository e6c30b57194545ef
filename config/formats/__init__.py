"""Project date formats, read before Django's own (FORMAT_MODULE_PATH)."""
