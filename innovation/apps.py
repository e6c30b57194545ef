from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "innovation"
    verbose_name = _("Open innovation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from community.badges import register_author_badges
        from community.models import Community

        from .permissions import desk

        # The broker of an introduction, named beside their posts in its thread.
        register_author_badges(
            Community.Kind.INTRODUCTION,
            lambda community, author_ids: {
                pk: _("Innovation desk")
                for pk in desk.introduction_brokers(community, author_ids)
            },
        )

    def seed_demo(self, stdout):
        """Called by community's `seed_demo`: challenges, offers, the funnel, calls."""
        from . import demo

        demo.seed(stdout)
