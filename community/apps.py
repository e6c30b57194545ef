"""App configuration for the community app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Importing connects the account receivers and registers the system checks.
        from . import checks, live, signals  # noqa: F401

        live.register()

        from .queries import direct, navigation

        # The header's "Messages" figure: unread direct messages.
        navigation.register_figure("direct_unread", direct.unread_figure)
