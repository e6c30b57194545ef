"""Thin HTTP adapters: parse input, call a permission or a service, render."""
