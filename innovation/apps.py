from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "innovation"
    verbose_name = _("Open innovation")
    default_auto_field = "django.db.models.BigAutoField"

    # Printed with the demo logins by `seed_demo`.
    demo_logins = (
        ("federica", "facilitator of the innovation desk (validation queue, help requests)"),
        ("giulia", "seeker: Meccanica Brianza's challenges and their evaluation boards"),
        ("marco", "Politecnico Lombardo: technology offers and expressions of interest"),
    )

    def ready(self):
        from community import panels
        from community.badges import register_author_badges
        from community.models import Community

        from . import live
        from .permissions import desk
        from .views.challenges import community_challenges_panel

        live.register()
        # A thematic community's page lists its open challenges.
        panels.register_community_panel(community_challenges_panel)
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
