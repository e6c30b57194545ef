"""Migrations of the search app."""
