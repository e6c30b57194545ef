"""App configuration for backups (the `backup` and `restore` commands; no models)."""

from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "backups"
