from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "innovation"
    verbose_name = _("Open innovation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import live

        live.register()

    def seed_demo(self, stdout):
        """Called by community's `seed_demo`: challenges, offers, the funnel, calls."""
        from . import demo

        demo.seed(stdout)
