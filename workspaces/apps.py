"""App configuration for the workspaces app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = _("Workspaces")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from community.services import organisations

        from . import live
        from .services import people

        live.register()
        # Leaving a partner organisation ends taking part on its behalf.
        organisations.register_affiliation_ended(
            people.participant_end_with_affiliation
        )

    def seed_demo(self, stdout):
        """Called by community's `seed_demo`: the demo's two workspaces."""
        from . import demo

        demo.seed(stdout)
